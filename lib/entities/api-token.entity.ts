import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
} from 'typeorm';

/** An API token. Only the SHA-256 hash of the token is stored. */
@Entity('campaign_api_tokens')
export class ApiTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Index('idx_campaign_api_tokens_account')
  @Column({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', nullable: true, type: Date })
  revokedAt!: Date | null;
}

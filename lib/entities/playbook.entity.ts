import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
} from 'typeorm';

/** The assistant that runs the calls of a campaign. */
@Entity('campaign_playbooks')
export class PlaybookEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Index('idx_campaign_playbooks_account')
  @Column({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}

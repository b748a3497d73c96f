import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The first answer to a `POST /campaign` sent with an `Idempotency-Key`. */
@Entity('campaign_idempotency_keys')
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 255 })
  key!: string;

  /** SHA-256 of the request body, to tell a replay from a different request. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ name: 'response_status', type: 'int' })
  responseStatus!: number;

  @Column({ name: 'response_body', type: 'json' })
  responseBody!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A number the account must never dial again. */
@Entity('campaign_do_not_call')
export class DoNotCallEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  /** E.164. */
  @PrimaryColumn({ type: 'varchar', length: 16 })
  phone!: string;

  /** Why it was added, e.g. `opted_out` (an attempt's outcome) or `api`. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  reason!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}

import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { CampaignStatus } from './campaign-status';

/**
 * Date columns leave `type` to TypeORM (timestamp on PostgreSQL, datetime on
 * SQLite); the migrations create them as `timestamptz` on PostgreSQL.
 */
@Entity('campaigns')
@Index('idx_campaigns_account_created', ['accountId', 'createdAt'])
@Index('idx_campaigns_status_launch', ['status', 'launchAt'])
export class CampaignEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  @Column({ name: 'playbook_id', type: 'uuid' })
  playbookId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CampaignStatus;

  /** Null for an immediate campaign. */
  @Column({ name: 'launch_at', nullable: true, type: Date })
  launchAt!: Date | null;

  /** Retry delays in minutes. */
  @Column({ type: 'json' })
  recall!: number[];

  @Column({ name: 'contacts_count', type: 'int' })
  contactsCount!: number;

  @Column({ name: 'calls_count', type: 'int' })
  callsCount!: number;

  @Column({ name: 'duplicates_count', type: 'int' })
  duplicatesCount!: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @Column({ name: 'started_at', nullable: true, type: Date })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', nullable: true, type: Date })
  completedAt!: Date | null;
}

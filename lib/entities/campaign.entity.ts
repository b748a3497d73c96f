import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import type { PlaybookProviderConfig } from '../providers/provider.interface';
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

  /**
   * Canonical IANA zone for the contacts whose own `timezone` is absent and
   * whose number gives none; null: the module `defaultTimezone`.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  timezone!: string | null;

  /**
   * `{ start: 'HH:mm', end: 'HH:mm' | '24:00', days: [1..7] }` (days
   * ascending, each once), narrowing the module's window for this campaign;
   * null: the module's window alone. jsonb on PostgreSQL, JSON text on SQLite.
   */
  @Column({ name: 'calling_window', type: 'json', nullable: true })
  callingWindow!: CallingWindow | null;

  /** The playbook's provider side when the campaign was created. */
  @Column({ name: 'provider_config', type: 'json', nullable: true })
  providerConfig!: PlaybookProviderConfig | null;

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

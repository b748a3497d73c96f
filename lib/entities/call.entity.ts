import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { CallStatus } from './campaign-status';

/** One person to call in one campaign, across all of its attempts. */
@Entity('campaign_calls')
@Unique('uq_campaign_calls_campaign_contact', ['campaignId', 'contactId'])
@Index('idx_campaign_calls_claim', ['status', 'dueAt'])
@Index('idx_campaign_calls_lease', ['leaseExpiresAt'])
export class CallEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  @Index('idx_campaign_calls_contact')
  @Column({ name: 'contact_id', type: 'uuid' })
  contactId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CallStatus;

  /** When the next attempt may start. */
  @Column({ name: 'due_at', type: Date })
  dueAt!: Date;

  /** This call's own copy of the campaign's recall policy (minutes). */
  @Column({ type: 'json' })
  recall!: number[];

  @Column({ name: 'attempt_count', type: 'int', default: 0 })
  attemptCount!: number;

  @Column({ name: 'first_attempt_at', nullable: true, type: Date })
  firstAttemptAt!: Date | null;

  @Column({ name: 'last_outcome', type: 'varchar', length: 32, nullable: true })
  lastOutcome!: string | null;

  /** Replica that holds the claim. */
  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', nullable: true, type: Date })
  leaseExpiresAt!: Date | null;

  /** Why a waiting call waits: calling_hours, holiday, cap, in_progress, hook. */
  @Column({ name: 'wait_reason', type: 'varchar', length: 16, nullable: true })
  waitReason!: string | null;

  /** `{ reason, until, rule, zone, message }` of the wait, or why a call was blocked. */
  @Column({ name: 'wait_detail', type: 'json', nullable: true })
  waitDetail!: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @Column({ name: 'completed_at', nullable: true, type: Date })
  completedAt!: Date | null;
}

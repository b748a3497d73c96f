import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/** One dial of a call. Written before the dialer is called. */
@Entity('campaign_call_attempts')
@Unique('uq_campaign_call_attempts_call_number', ['callId', 'attemptNumber'])
export class CallAttemptEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'call_id', type: 'uuid' })
  callId!: string;

  @Column({ name: 'attempt_number', type: 'int' })
  attemptNumber!: number;

  @Column({ name: 'started_at', type: Date })
  startedAt!: Date;

  @Column({ name: 'ended_at', nullable: true, type: Date })
  endedAt!: Date | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  outcome!: string | null;

  @Index('idx_campaign_call_attempts_provider_call')
  @Column({
    name: 'provider_call_id',
    type: 'varchar',
    length: 255,
    nullable: true,
  })
  providerCallId!: string | null;

  @Column({ type: 'json', nullable: true })
  details!: Record<string, unknown> | null;

  /** What the attempt was dialed under: zones, rules, local times. */
  @Column({ type: 'json', nullable: true })
  verdict!: Record<string, unknown> | null;
}

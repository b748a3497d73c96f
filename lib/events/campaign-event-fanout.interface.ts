import type { EntityManager } from 'typeorm';
import type { CallOutcome } from '../dialer/campaign-dialer.interface';
import type { CallStatus } from '../entities/campaign-status';

// PREVIEW (webhooks branch only): on main these types live in campaign-event.interface.ts
// and this file re-exports them. Import them from this file.
interface EventBase {
  campaignId: string;
  accountId: string;
  at: Date;
}

/**
 * What a durable event carries besides its content: written in the same
 * transaction as the change it reports (the outbox), delivered at least
 * once. `id` is unique (deduplicate on it); `sequence` counts 1, 2, 3, … per
 * campaign in the order the events were committed (order on it).
 */
export interface DurableEventFields {
  id: string;
  sequence: number;
}

export type DurableLifecycleEventType =
  | 'campaign.created'
  | 'campaign.started'
  | 'campaign.paused'
  | 'campaign.resumed'
  | 'campaign.cancelled'
  | 'campaign.completed';

export interface DurableLifecycleEvent extends EventBase, DurableEventFields {
  type: DurableLifecycleEventType;
}

/** In process only, when the attempt row is committed and the dial begins (not durable). */
export interface CallAttemptStartedEvent extends EventBase {
  type: 'call.attempt.started';
  callId: string;
  attempt: number;
}

export interface CallAttemptFinishedEvent
  extends EventBase, DurableEventFields {
  type: 'call.attempt.finished';
  callId: string;
  attempt: number;
  outcome: CallOutcome;
}

/** One attempt of a finished call, as `call.finished` reports it. */
export interface FinishedCallAttempt {
  attempt: number;
  startedAt: Date;
  endedAt: Date | null;
  outcome: CallOutcome | null;
  providerCallId: string | null;
}

/**
 * A call reached a final status (by an attempt's outcome, or undialed at
 * claim time: `opted_out`, `blocked`). Calls closed by cancelling their
 * campaign are reported by `campaign.cancelled` alone.
 */
export interface CallFinishedEvent extends EventBase, DurableEventFields {
  type: 'call.finished';
  callId: string;
  status: CallStatus;
  outcome: CallOutcome | null;
  attempts: FinishedCallAttempt[];
}

/** The events kept in the outbox: delivered at least once, to one replica's subscribers and to webhooks. */
export type DurableCampaignEvent =
  DurableLifecycleEvent | CallAttemptFinishedEvent | CallFinishedEvent;

export type DurableCampaignEventType = DurableCampaignEvent['type'];

export const DURABLE_CAMPAIGN_EVENT_TYPES: readonly DurableCampaignEventType[] =
  [
    'campaign.created',
    'campaign.started',
    'campaign.paused',
    'campaign.resumed',
    'campaign.cancelled',
    'campaign.completed',
    'call.attempt.finished',
    'call.finished',
  ];

/**
 * Where the outbox relay hands each durable event once, inside the
 * transaction that gives it its sequence: whatever is written there (e.g.
 * webhook deliveries) commits with it or not at all.
 */
export interface CampaignEventFanout {
  enqueue(
    manager: EntityManager,
    events: readonly DurableCampaignEvent[],
    now: Date,
  ): Promise<void>;
}

/** Optional provider of a {@link CampaignEventFanout} (the webhooks use it). */
export const CAMPAIGN_EVENT_FANOUT = Symbol('CAMPAIGN_EVENT_FANOUT');

import type { EntityManager } from 'typeorm';
import type { DurableCampaignEvent } from './campaign-event.interface';

export type {
  DurableCampaignEvent,
  DurableCampaignEventType,
} from './campaign-event.interface';
export { DURABLE_CAMPAIGN_EVENT_TYPES } from './campaign-event.interface';

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

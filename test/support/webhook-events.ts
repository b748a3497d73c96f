import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_EVENT_FANOUT, type CampaignEventFanout } from '../../lib';
import type { DurableCampaignEvent } from '../../lib/events/campaign-event-fanout.interface';
import type { INestApplication } from '@nestjs/common';

let sequence = 0;

/** A durable event as the outbox relay would hand it over. */
export function campaignEvent(
  accountId: string,
  fields: Partial<DurableCampaignEvent> = {},
): DurableCampaignEvent {
  return {
    id: randomUUID(),
    sequence: ++sequence,
    type: 'campaign.completed',
    campaignId: randomUUID(),
    accountId,
    at: new Date('2026-03-01T10:00:00.000Z'),
    ...fields,
  } as DurableCampaignEvent;
}

/** Hands events to the module's fan-out inside a transaction, as the relay does. */
export async function enqueueEvents(
  app: INestApplication,
  dataSource: DataSource,
  events: DurableCampaignEvent[],
  now: Date = new Date(),
): Promise<void> {
  const fanout = app.get<CampaignEventFanout>(CAMPAIGN_EVENT_FANOUT);
  await dataSource.transaction((m) => fanout.enqueue(m, events, now));
}

/** Polls `check` until it holds (a deadline, not a timing assertion). */
export async function eventually<T>(
  check: () =>
    Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

import type { CallOutcome } from '../dialer/campaign-dialer.interface';

interface EventBase {
  campaignId: string;
  accountId: string;
  at: Date;
}

export type CampaignLifecycleEventType =
  | 'campaign.created'
  | 'campaign.started'
  | 'campaign.paused'
  | 'campaign.resumed'
  | 'campaign.cancelled'
  | 'campaign.completed';

export interface CampaignLifecycleEvent extends EventBase {
  type: CampaignLifecycleEventType;
}

export interface CallAttemptStartedEvent extends EventBase {
  type: 'call.attempt.started';
  callId: string;
  attempt: number;
}

export interface CallAttemptFinishedEvent extends EventBase {
  type: 'call.attempt.finished';
  callId: string;
  attempt: number;
  outcome: CallOutcome;
}

/** What the module tells the host about campaigns and calls. */
export type CampaignEvent =
  CampaignLifecycleEvent | CallAttemptStartedEvent | CallAttemptFinishedEvent;

export type CampaignEventListener = (event: CampaignEvent) => unknown;

/** Anything with `emit(name, payload)`, such as `@nestjs/event-emitter`'s EventEmitter2. */
export interface CampaignEventSink {
  emit(name: string, payload: CampaignEvent): unknown;
}

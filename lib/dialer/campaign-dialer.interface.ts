import type { PlaybookProviderConfig } from '../providers/provider.interface';
import type { ContactFieldValues } from '../contacts/contact-fields';
import type { CustomFields } from '../entities/contact.entity';

/** How one dial attempt ended. */
export const CALL_OUTCOMES = [
  'answered',
  'completed',
  'no_answer',
  'busy',
  'failed',
  'voicemail',
  'invalid_number',
  'opted_out',
  'interrupted',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** What the dialer gets for one attempt. */
export interface DialRequest {
  callId: string;
  /** 1 for the first attempt. */
  attempt: number;
  campaignId: string;
  accountId: string;
  playbookId: string;
  /** The playbook's provider side, when it has one (see `PlaybookProviderConfig`). */
  playbook?: PlaybookProviderConfig | null;
  /** E.164. */
  phone: string;
  /** The contact's stored fields (null when never given). */
  contact: ContactFieldValues & { custom_fields: CustomFields | null };
}

/**
 * What the dialer answers. Without `outcome` the call is in progress and the
 * outcome comes later through `CallOutcomeService.report`.
 */
export interface DialResult {
  providerCallId?: string;
  outcome?: CallOutcome;
  details?: Record<string, unknown>;
  /**
   * The provider did not place the call (429, concurrency limit): the
   * attempt is released without using up the recall policy and the call is
   * tried again after `retryAfterMs` (else a backoff).
   */
  notPlaced?: { reason: string; retryAfterMs?: number };
}

/** An attempt whose lease expired, for {@link CampaignDialer.lookup}. */
export interface AttemptLookup {
  callId: string;
  attempt: number;
  /** Null when the dial never returned one (the replica died mid-request). */
  providerCallId: string | null;
  /** The number dialed (E.164), to find the call at a provider without its id. */
  phone?: string;
  startedAt: Date;
  playbook?: PlaybookProviderConfig | null;
}

/** The port to a telephony provider. */
export interface CampaignDialer {
  dial(request: DialRequest): Promise<DialResult>;
  /**
   * Reconcile instead of re-dial: what became of an attempt whose lease
   * expired, asked of the provider (by its call id, or by the metadata /
   * idempotency key when the id was never returned). `null`: the provider
   * has no trace of it (the attempt then ends `interrupted`); a result
   * without `outcome`: still in progress.
   */
  lookup?(attempt: AttemptLookup): Promise<DialResult | null>;
}

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
  /** E.164. */
  phone: string;
  contact: {
    first_name: string | null;
    last_name: string | null;
    email: string | null;
    company: string | null;
    job_title: string | null;
    address: string | null;
    city: string | null;
    state: string | null;
    country: string | null;
    postal_code: string | null;
    timezone: string | null;
    utm_source: string | null;
    utm_medium: string | null;
    utm_campaign: string | null;
    utm_term: string | null;
    utm_content: string | null;
    custom_fields: CustomFields | null;
  };
}

/**
 * What the dialer answers. Without `outcome` the call is in progress and the
 * outcome comes later through `CallOutcomeService.report`.
 */
export interface DialResult {
  providerCallId?: string;
  outcome?: CallOutcome;
  details?: Record<string, unknown>;
}

/** The port to a telephony provider. */
export interface CampaignDialer {
  dial(request: DialRequest): Promise<DialResult>;
}

import type { IncomingHttpHeaders } from 'node:http';
import type {
  CallOutcome,
  CampaignDialer,
} from '../dialer/campaign-dialer.interface';

/** The voice providers the module ships dialers for. */
export type VoiceProvider = 'twilio' | 'vapi' | 'retell';

/**
 * A playbook's provider side: which provider runs it, the assistant / agent
 * and the caller number(s). Stored with the playbook (or returned by the
 * host's `findPlaybook`) and handed to the dialer with each call.
 */
export interface PlaybookProviderConfig {
  provider: VoiceProvider;
  /** Vapi assistant id, Retell agent id, or for Twilio the TwiML App / URL the call runs. */
  assistantId: string;
  /** Caller numbers (E.164); calls are spread over them. At least one. */
  callerNumbers: string[];
  /** Provider-specific settings, passed through (validated by the provider's dialer). */
  settings?: Record<string, unknown>;
}

/** An outcome reported by a provider's webhook, found by the provider's call id. */
export interface ProviderCallEvent {
  providerCallId: string;
  /** Null: an event that does not end the call (ringing, in progress). */
  outcome: CallOutcome | null;
  /** The module's call id and attempt, when the provider echoes the metadata. */
  callId?: string;
  attempt?: number;
  details?: Record<string, unknown>;
}

/** What a webhook route gets: the raw body bytes, the headers and the URL the provider called. */
export interface ProviderWebhookRequest {
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  /** The full public URL of the webhook as the provider called it (Twilio signs it). */
  url: string;
}

/** A provider's webhook side: its own signature scheme, then its events. */
export interface ProviderWebhook {
  provider: VoiceProvider;
  /**
   * The public URL of the webhook route as given to the provider (Twilio
   * signs it); without it the route rebuilds it from the Host header.
   */
  publicUrl?: string;
  /** True only when the request carries the provider's valid signature. */
  verify(request: ProviderWebhookRequest): boolean | Promise<boolean>;
  /** The events of a verified request; throws `InvalidWebhookPayloadError` for a malformed body. */
  parse(request: ProviderWebhookRequest): ProviderCallEvent[];
}

/** A malformed webhook body: the route answers 400. */
export class InvalidWebhookPayloadError extends Error {
  override readonly name = 'InvalidWebhookPayloadError';
}

/** A dialer for a real provider: also receives its webhooks. */
export interface ProviderDialer extends CampaignDialer {
  readonly webhook: ProviderWebhook;
}

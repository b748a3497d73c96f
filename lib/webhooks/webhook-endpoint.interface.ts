import type { DurableCampaignEventType } from '../events/campaign-event-fanout.interface';

/** Why an endpoint is disabled: by the API, after failing too long, or because it answered 410 Gone. */
export type WebhookDisabledReason = 'manual' | 'failing' | 'gone';

/** An endpoint as the API lists it: never its secret, only a hint of it. */
export interface WebhookEndpointInfo {
  id: string;
  url: string;
  description: string | null;
  events: DurableCampaignEventType[];
  enabled: boolean;
  disabled_at: string | null;
  disabled_reason: WebhookDisabledReason | null;
  /** Since when every try failed (null: the last one succeeded, or none yet). */
  failing_since: string | null;
  secret_hint: string;
  created_at: string;
  updated_at: string;
}

/** An endpoint just created, or whose secret was just rotated: the only answers with the secret. */
export interface WebhookEndpointWithSecret extends WebhookEndpointInfo {
  secret: string;
}

export interface CreateWebhookEndpointInput {
  url: string;
  /** Event types to send; default all of them. */
  events?: DurableCampaignEventType[];
  description?: string | null;
}

export interface UpdateWebhookEndpointInput {
  url?: string;
  events?: DurableCampaignEventType[];
  description?: string | null;
  /** `true` re-enables a disabled endpoint (its waiting deliveries go again); `false` disables it. */
  enabled?: boolean;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One try of a delivery: the delivery log. */
export interface WebhookTryInfo {
  attempt: number;
  attempted_at: string;
  result: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

export interface WebhookDeliveryInfo {
  id: string;
  event_id: string;
  event_type: string;
  sequence: number;
  campaign_id: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  /** The delivery this one redelivers (manual redelivery), or null. */
  redelivery_of: string | null;
  created_at: string;
  tries: WebhookTryInfo[];
}

export interface WebhookDeliveryPage {
  data: WebhookDeliveryInfo[];
  next_cursor: string | null;
}

export interface ListWebhookDeliveriesOptions {
  limit?: number;
  cursor?: string;
  status?: WebhookDeliveryStatus;
}

/** Sent to `WebhookEndpointService.onEndpointDisabled` listeners when the worker disables an endpoint. */
export interface WebhookEndpointDisabledEvent {
  type: 'webhook.endpoint.disabled';
  endpointId: string;
  accountId: string;
  url: string;
  reason: Exclude<WebhookDisabledReason, 'manual'>;
  failingSince: Date | null;
  at: Date;
}

export const WEBHOOK_DELIVERY_STATUSES: readonly WebhookDeliveryStatus[] = [
  'pending',
  'delivered',
  'failed',
];

/** Bounds of what a client may register. */
export const WEBHOOK_LIMITS = {
  descriptionMaxLength: 500,
} as const;

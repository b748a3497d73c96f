import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Prefix of a symmetric Standard Webhooks secret. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * A new signing secret: `whsec_` + base64 of 24 random bytes (Standard
 * Webhooks: "Random. At least 24 bytes", "base64 encoded, prefixed with
 * whsec_").
 */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** What a client may see of a secret after it was created. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, WEBHOOK_SECRET_PREFIX.length + 4)}…`;
}

export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** How long the secret before a rotation still signs (beside the new one). */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 60 * 60_000;

/**
 * The three Standard Webhooks headers of one try: the signature is
 * HMAC-SHA256 over `{id}.{timestamp}.{body}` as `v1,<base64>`, made by the
 * specification's reference library. With several secrets (a rotation in
 * progress) the header lists one signature per secret, space-delimited, as
 * the specification does for zero-downtime rotation: a receiver verifies
 * with either.
 */
export function signWebhook(
  secrets: string | readonly string[],
  id: string,
  sentAt: Date,
  body: string,
): WebhookSignatureHeaders {
  const timestamp = Math.floor(sentAt.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': (typeof secrets === 'string' ? [secrets] : secrets)
      .map((secret) =>
        new Webhook(secret).sign(id, new Date(timestamp * 1000), body),
      )
      .join(' '),
  };
}

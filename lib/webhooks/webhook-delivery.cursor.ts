import { isUUID } from 'class-validator';

const MAX_CURSOR_LENGTH = 256;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Position after the last delivery of a page (created_at desc, id desc). */
export interface WebhookDeliveryCursor {
  createdAt: Date;
  id: string;
}

export function encodeDeliveryCursor(cursor: WebhookDeliveryCursor): string {
  return Buffer.from(
    JSON.stringify([
      'webhook-delivery',
      cursor.createdAt.toISOString(),
      cursor.id,
    ]),
    'utf8',
  ).toString('base64url');
}

/** The cursor, or null when it is not one this list wrote. */
export function decodeDeliveryCursor(
  value: unknown,
): WebhookDeliveryCursor | null {
  if (
    typeof value !== 'string' ||
    value.length > MAX_CURSOR_LENGTH ||
    !BASE64URL.test(value)
  ) {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== 'webhook-delivery' ||
    typeof parsed[1] !== 'string' ||
    !ISO.test(parsed[1]) ||
    Number.isNaN(Date.parse(parsed[1])) ||
    typeof parsed[2] !== 'string' ||
    !isUUID(parsed[2])
  ) {
    return null;
  }
  return { createdAt: new Date(parsed[1]), id: parsed[2].toLowerCase() };
}

import { isUUID } from 'class-validator';

/**
 * Opaque keyset cursors: base64url of a JSON array `[kind, ...key]`. The kind
 * keeps one list's cursor from being taken by another; every value is checked
 * on decoding, so nothing malformed reaches the SQL (PostgreSQL raises on a
 * malformed uuid or timestamp).
 */

const MAX_CURSOR_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A `created_at` key: ISO (PostgreSQL, microseconds, `Z`) or TypeORM's SQLite text. */
const TIMESTAMP_KEY =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?Z?$/;

/** Position after the last call of a page of `GET /:id/calls` (ordered by id). */
export interface CallCursor {
  id: string;
}

/** Position after the last campaign of a page of `GET /` (created_at desc, id desc). */
export interface CampaignCursor {
  /** The stored `created_at`, at full precision, as the list query reads it. */
  createdAt: string;
  id: string;
}

export function encodeCallCursor(cursor: CallCursor): string {
  return encode(['call', cursor.id]);
}

export function decodeCallCursor(value: unknown): CallCursor | null {
  const parts = decode(value, 'call', 1);
  if (!parts || !isUUID(parts[0])) return null;
  return { id: parts[0].toLowerCase() };
}

export function encodeCampaignCursor(cursor: CampaignCursor): string {
  return encode(['campaign', cursor.createdAt, cursor.id]);
}

export function decodeCampaignCursor(value: unknown): CampaignCursor | null {
  const parts = decode(value, 'campaign', 2);
  if (!parts || !isTimestampKey(parts[0]) || !isUUID(parts[1])) return null;
  return { createdAt: parts[0], id: parts[1].toLowerCase() };
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** The do-not-call list's cursor: the last phone of the previous page, E.164. */
export function decodeDoNotCallCursor(value: unknown): string | null {
  return typeof value === 'string' && E164.test(value) ? value : null;
}

/** Position after the last delivery of a webhook delivery log page (created_at desc, id desc). */
export interface WebhookDeliveryCursor {
  createdAt: Date;
  id: string;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeDeliveryCursor(cursor: WebhookDeliveryCursor): string {
  return encode([
    'webhook-delivery',
    cursor.createdAt.toISOString(),
    cursor.id,
  ]);
}

export function decodeDeliveryCursor(
  value: unknown,
): WebhookDeliveryCursor | null {
  const parts = decode(value, 'webhook-delivery', 2);
  if (
    !parts ||
    !ISO_INSTANT.test(parts[0]) ||
    Number.isNaN(Date.parse(parts[0])) ||
    !isUUID(parts[1])
  ) {
    return null;
  }
  return { createdAt: new Date(parts[0]), id: parts[1].toLowerCase() };
}

function encode(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

function decode(value: unknown, kind: string, size: number): string[] | null {
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
    parsed.length !== size + 1 ||
    parsed[0] !== kind ||
    !parsed.every((part) => typeof part === 'string')
  ) {
    return null;
  }
  return parsed.slice(1);
}

/** A real calendar date and time (no 30 February, no hour 24). */
function isTimestampKey(value: string): boolean {
  const match = TIMESTAMP_KEY.exec(value);
  if (!match) return false;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s
  );
}

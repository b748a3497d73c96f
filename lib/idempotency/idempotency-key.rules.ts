import { InvalidIdempotencyKeyException } from './idempotency-key.exceptions';

/** 1..255 printable ASCII characters (space included). */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

/** Throws a 400 unless `key` is 1..255 printable ASCII characters. */
export function assertValidIdempotencyKey(key: string): void {
  if (!VALID_KEY.test(key)) throw new InvalidIdempotencyKeyException();
}

/**
 * The `Idempotency-Key` of a request, as Node's `headersDistinct` gives it:
 * undefined when absent; a 400 when sent twice or not 1..255 printable ASCII.
 */
export function parseIdempotencyKey(
  values: readonly string[] | undefined,
): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) {
    throw new InvalidIdempotencyKeyException('must be sent only once');
  }
  assertValidIdempotencyKey(values[0]);
  return values[0];
}

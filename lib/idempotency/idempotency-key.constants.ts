/** Name of the request header that makes `POST /campaign` idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** How long a key answers with its first response; after that it is new again. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

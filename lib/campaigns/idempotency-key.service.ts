import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { returnedRows } from '../database/query-result';
import { sqlDialectOf, type SqlDialect } from '../database/sql-dialect';
import { SqlParams } from '../database/sql-params';
import { InvalidCampaignRequestException } from '../validation/field-problem';
import type { CreatedCampaign } from './campaign-response.interface';
import type { NewCampaign } from './new-campaign.interface';
import { runTransaction } from '../database/run-transaction';

/** Name of the request header that makes `POST /campaign` idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** How long a key answers with its first response; after that it is new again. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** 1..255 printable ASCII characters (space included). */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

const KEY_RULE = 'must be 1 to 255 printable ASCII characters';

/** A 400 naming the `Idempotency-Key` header. */
export class InvalidIdempotencyKeyException extends InvalidCampaignRequestException {
  constructor(message = KEY_RULE) {
    super([{ field: IDEMPOTENCY_KEY_HEADER, message }]);
  }
}

/** A 409: the key was already used, within its 24 h, for a different request. */
export class IdempotencyKeyConflictException extends InvalidCampaignRequestException {
  constructor() {
    super(
      [
        {
          field: IDEMPOTENCY_KEY_HEADER,
          message:
            'was already used for a different request in the last 24 hours; send a new key for a new campaign',
        },
      ],
      409,
    );
  }
}

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

/** JSON with object keys sorted at every level (dates as ISO instants). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

/**
 * SHA-256 (hex) of the validated request. The normalized request rather than
 * the raw body: two bodies that would write the same campaign (key order,
 * `"612345678"` + `country: "ES"` vs `"+34612345678"`, an offset vs `Z` for
 * the same `launch_at` instant, `"[30]"` vs `[30]`, `calling_window` days in
 * another order, a zone's alias) are one request, and what is compared is
 * exactly what would be written: the same key with another `timezone` or
 * `calling_window` is a 409.
 */
export function hashCampaignRequest(request: NewCampaign): string {
  // The extensions to the seed count only when given: a request without
  // them hashes as before they existed, so a key stored by an earlier
  // version still replays.
  const { timezone, callingWindow, ...seed } = request;
  const canonical: Record<string, unknown> = { ...seed };
  if (timezone !== undefined && timezone !== null) {
    canonical.timezone = timezone;
  }
  if (callingWindow !== undefined && callingWindow !== null) {
    canonical.callingWindow = callingWindow;
  }
  return createHash('sha256').update(canonicalJson(canonical)).digest('hex');
}

/** What `claim` found: go ahead and create, or answer the stored response. */
export type IdempotencyClaim =
  { kind: 'claimed' } | { kind: 'replay'; response: CreatedCampaign };

interface StoredKey {
  request_hash: string;
  response_body: unknown;
  created_at: unknown;
}

/** Attempts at settling one key; only concurrent deletes make a second one. */
const MAX_CLAIM_ATTEMPTS = 5;

/**
 * The `campaign_idempotency_keys` table. `claim` runs inside the creation
 * transaction, so a key exists only with the campaign it answered: a rolled
 * back creation leaves no key. On PostgreSQL a second transaction inserting
 * the same key waits on the first one's uncommitted row, then sees it
 * committed (replay) or gone (it creates).
 *
 * Expired rows are replaced when their key comes back, not swept: call
 * {@link purgeExpired} from the host's own scheduler to bound the table.
 */
@Injectable()
export class IdempotencyKeyService {
  private readonly dialect: SqlDialect;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /**
   * Records `key` with the response about to be given, inside the caller's
   * transaction. Returns `replay` with the first response when the key was
   * used for the same request within 24 h; throws a 409 when it was used
   * for another request; else the key is the caller's (`claimed`), new or
   * replacing an expired one.
   */
  async claim(
    manager: EntityManager,
    accountId: string,
    key: string,
    requestHash: string,
    response: CreatedCampaign,
    now: Date,
  ): Promise<IdempotencyClaim> {
    assertValidIdempotencyKey(key);
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS);
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      if (
        await this.insert(manager, accountId, key, requestHash, response, now)
      )
        return { kind: 'claimed' };
      const stored = await this.find(manager, accountId, key);
      if (!stored) continue; // Deleted meanwhile (purge): insert again.
      if (this.dialect.readDate(stored.created_at) <= cutoff) {
        if (
          await this.replaceExpired(
            manager,
            accountId,
            key,
            requestHash,
            response,
            now,
            cutoff,
          )
        )
          return { kind: 'claimed' };
        continue; // Another request replaced it first: read it again.
      }
      if (stored.request_hash !== requestHash) {
        throw new IdempotencyKeyConflictException();
      }
      return {
        kind: 'replay',
        response: storedResponse(
          this.dialect.readJson<CreatedCampaign>(stored.response_body),
        ),
      };
    }
    throw new Error(
      `Idempotency key could not be settled after ${MAX_CLAIM_ATTEMPTS} attempts`,
    );
  }

  /** Deletes keys older than 24 h (of every account); returns how many. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const p = new SqlParams(this.dialect);
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS);
    const rows = returnedRows(
      await runTransaction(this.dataSource, (m) =>
        m.query(
          `DELETE FROM campaign_idempotency_keys
        WHERE created_at <= ${p.add(this.dialect.date(cutoff))}
        RETURNING idempotency_key`,
          p.values,
        ),
      ),
    );
    return rows.length;
  }

  /** True when this transaction now holds the key. */
  private async insert(
    manager: EntityManager,
    accountId: string,
    key: string,
    requestHash: string,
    response: CreatedCampaign,
    now: Date,
  ): Promise<boolean> {
    const p = new SqlParams(this.dialect);
    const rows = returnedRows(
      await manager.query(
        `INSERT INTO campaign_idempotency_keys
          (account_id, idempotency_key, request_hash, response_status, response_body, created_at)
        VALUES (${p.add(accountId)}, ${p.add(key)}, ${p.add(requestHash)}, ${p.add(202)},
          ${p.add(JSON.stringify(response))}, ${p.add(this.dialect.date(now))})
        ON CONFLICT (account_id, idempotency_key) DO NOTHING
        RETURNING idempotency_key`,
        p.values,
      ),
    );
    return rows.length > 0;
  }

  private async find(
    manager: EntityManager,
    accountId: string,
    key: string,
  ): Promise<StoredKey | undefined> {
    const p = new SqlParams(this.dialect);
    const [row] = (await manager.query(
      `SELECT request_hash, response_body, created_at FROM campaign_idempotency_keys
      WHERE account_id = ${p.add(accountId)} AND idempotency_key = ${p.add(key)}`,
      p.values,
    )) as StoredKey[];
    return row;
  }

  /**
   * Takes over a key older than 24 h. The age is checked again by the UPDATE:
   * on PostgreSQL a concurrent replacement makes it wait, then match nothing.
   */
  private async replaceExpired(
    manager: EntityManager,
    accountId: string,
    key: string,
    requestHash: string,
    response: CreatedCampaign,
    now: Date,
    cutoff: Date,
  ): Promise<boolean> {
    const p = new SqlParams(this.dialect);
    const rows = returnedRows(
      await manager.query(
        `UPDATE campaign_idempotency_keys
        SET request_hash = ${p.add(requestHash)}, response_status = ${p.add(202)},
          response_body = ${p.add(JSON.stringify(response))},
          created_at = ${p.add(this.dialect.date(now))}
        WHERE account_id = ${p.add(accountId)} AND idempotency_key = ${p.add(key)}
          AND created_at <= ${p.add(this.dialect.date(cutoff))}
        RETURNING idempotency_key`,
        p.values,
      ),
    );
    return rows.length > 0;
  }
}

/**
 * The stored body with the keys in the order of the first answer (jsonb
 * keeps its own order), so that a replay is byte for byte the same.
 */
function storedResponse(body: CreatedCampaign): CreatedCampaign {
  return {
    campaign_id: body.campaign_id,
    status: body.status,
    launch_at: body.launch_at,
    contacts: body.contacts,
    calls: body.calls,
    duplicates: body.duplicates,
    recall: body.recall,
  };
}

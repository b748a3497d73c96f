import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import type { CreatedCampaign } from '../campaigns/campaign-response.interface';
import { runTransaction } from '../database/run-transaction';
import { IDEMPOTENCY_KEY_TTL_MS } from './idempotency-key.constants';
import { IdempotencyKeyConflictException } from './idempotency-key.exceptions';
import { assertValidIdempotencyKey } from './idempotency-key.rules';

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
    const d = this.dialect;
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS);
    return runTransaction(this.dataSource, (m) =>
      d.deleteCount(m, {
        table: 'campaign_idempotency_keys',
        where: (p) => `created_at <= ${p.add(d.date(cutoff))}`,
      }),
    );
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
    const written = await this.dialect.insertIgnoring(
      manager,
      {
        table: 'campaign_idempotency_keys',
        columns: [
          'account_id',
          'idempotency_key',
          'request_hash',
          'response_status',
          'response_body',
          'created_at',
        ],
      },
      [
        [
          accountId,
          key,
          requestHash,
          202,
          JSON.stringify(response),
          this.dialect.date(now),
        ],
      ],
      1,
    );
    return written > 0;
  }

  private async find(
    manager: EntityManager,
    accountId: string,
    key: string,
  ): Promise<StoredKey | undefined> {
    const p = new SqlParams(this.dialect);
    const [row] = await manager.query<StoredKey[]>(
      `SELECT request_hash, response_body, created_at FROM campaign_idempotency_keys
      WHERE account_id = ${p.add(accountId)} AND idempotency_key = ${p.add(key)}`,
      p.values,
    );
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
    const d = this.dialect;
    const rows = await d.update(manager, {
      table: 'campaign_idempotency_keys',
      set: (
        p,
      ) => `request_hash = ${p.add(requestHash)}, response_status = ${p.add(202)},
          response_body = ${p.add(JSON.stringify(response))},
          created_at = ${p.add(d.date(now))}`,
      where: (
        p,
      ) => `account_id = ${p.add(accountId)} AND idempotency_key = ${p.add(key)}
          AND created_at <= ${p.add(d.date(cutoff))}`,
      returning: ['idempotency_key'],
      key: ['account_id', 'idempotency_key'],
    });
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

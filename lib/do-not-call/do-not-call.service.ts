import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, Repository } from 'typeorm';
import { MoreThan } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { DoNotCallEntity } from '../entities/do-not-call.entity';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { DO_NOT_CALL_LIST_QUERY } from '../validation/list-queries';
import {
  LIST_PAGE_LIMIT,
  parseListQuery,
} from '../validation/list-query.parser';
import type { ParseResult } from '../validation/parse-result';
import { normalizePhoneNumber } from '../validation/phone-number.normalizer';
import { runTransaction } from '../database/run-transaction';

export interface DoNotCallEntry {
  phone: string;
  reason: string | null;
  created_at: string;
}

export interface DoNotCallPage {
  data: DoNotCallEntry[];
  next_cursor: string | null;
}

/**
 * The account's do-not-call list. Numbers are stored in E.164; the dialing
 * loop checks the list when it claims a call, so a number added after a
 * campaign was created is never dialed.
 */
@Injectable()
export class DoNotCallService {
  private readonly entries: Repository<DoNotCallEntity>;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {
    this.entries = dataSource.getRepository(DoNotCallEntity);
  }

  /** E.164 of a number as a client wrote it (national numbers use defaultCountry). */
  normalize(phone: string): ParseResult<string> {
    return normalizePhoneNumber(
      phone.trim(),
      undefined,
      this.options.defaultCountry,
    );
  }

  /** Adds a number (E.164); adding it again keeps the first entry. */
  async add(
    accountId: string,
    phone: string,
    reason = 'api',
  ): Promise<DoNotCallEntry> {
    await runTransaction(this.dataSource, (m) =>
      m
        .getRepository(DoNotCallEntity)
        .createQueryBuilder()
        .insert()
        .values({ accountId, phone, reason })
        .orIgnore()
        .execute(),
    );
    return toEntry(await this.entries.findOneByOrFail({ accountId, phone }));
  }

  /** Removes a number; false when it was not listed. */
  async remove(accountId: string, phone: string): Promise<boolean> {
    return runTransaction(this.dataSource, async (m) => {
      const entries = m.getRepository(DoNotCallEntity);
      if (!(await entries.existsBy({ accountId, phone }))) return false;
      await entries.delete({ accountId, phone });
      return true;
    });
  }

  async has(accountId: string, phone: string): Promise<boolean> {
    return this.entries.existsBy({ accountId, phone });
  }

  /**
   * Listed numbers in phone order; `cursor` is the last phone of the previous
   * page. `limit` as in the other lists (`LIST_PAGE_LIMIT`: 1 to 200, default
   * 50); a bad `limit` or `cursor` is the same 400 as `GET /campaign/do-not-call`.
   */
  async list(
    accountId: string,
    limit: number = LIST_PAGE_LIMIT.default,
    cursor?: string,
  ): Promise<DoNotCallPage> {
    parseListQuery(DO_NOT_CALL_LIST_QUERY, { limit, cursor });
    const rows = await this.entries.find({
      where: cursor ? { accountId, phone: MoreThan(cursor) } : { accountId },
      order: { phone: 'ASC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      data: page.map(toEntry),
      next_cursor: rows.length > limit ? page[page.length - 1].phone : null,
    };
  }
}

function toEntry(row: DoNotCallEntity): DoNotCallEntry {
  return {
    phone: row.phone,
    reason: row.reason,
    created_at: row.createdAt.toISOString(),
  };
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { insertRows } from '../database/multi-row-insert';
import { runTransaction } from '../database/run-transaction';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { CampaignEventOutbox } from '../events/campaign-event-outbox';
import { DueCallsNotifier } from '../scheduler/due-calls.notifier';
import { CampaignMetricsService } from '../metrics/campaign-metrics.service';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import { parseCampaignCallingWindow } from '../validation/calling-window.parser';
import { InvalidCampaignRequestException } from '../validation/field-problem';
import { canonicalTimeZone } from '../validation/time-zone.validator';
import type {
  CampaignAccount,
  CampaignPlaybookRef,
  ResolvedCampaignOptions,
} from '../options/campaign-module-options.interface';
import { validatePlaybookProvider } from '../providers/playbook-provider.validator';
import type { CreatedCampaign } from './campaign-response.interface';
import { CAMPAIGN_INSERT_COLUMNS } from './campaign-sql';
import {
  ContactCallWriter,
  type ContactCallBatch,
} from './contact-call-writer';
import {
  hashCampaignRequest,
  hashStreamedCampaignRequest,
} from '../idempotency/canonical-request-hash';
import { assertValidIdempotencyKey } from '../idempotency/idempotency-key.rules';
import { IdempotencyKeyService } from '../idempotency/idempotency-key.service';
import { mergeDuplicateContacts } from './merge-duplicate-contacts';
import type {
  ImportedCampaign,
  NewCampaign,
  NewContact,
  SpooledContacts,
} from './new-campaign.interface';

/** Calls in one campaign that make the planner statistics worth refreshing. */
const LARGE_CAMPAIGN = 1_000;
const ANALYZE_INTERVAL_MS = 10_000;

export interface CreateCampaignOptions {
  /**
   * The client's `Idempotency-Key` (1..255 printable ASCII characters): the
   * same key and request from the same account within 24 h create nothing
   * and return the first response.
   */
  idempotencyKey?: string;
  /** The playbook as the ownership check found it: its provider side is copied onto the campaign. */
  playbook?: CampaignPlaybookRef;
}

export interface CampaignCreationResult {
  campaign: CreatedCampaign;
  /** True when an `idempotencyKey` answered an earlier request's response. */
  replayed: boolean;
}

/** Writes a validated campaign, its contacts and its calls in one transaction. */
@Injectable()
export class CampaignCreationService {
  private readonly dialect: SqlDialect;
  private readonly writer: ContactCallWriter;
  private readonly logger = new Logger('CampaignModule');
  private analyzedAt = -Infinity;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    private readonly idempotencyKeys: IdempotencyKeyService,
    private readonly outbox: CampaignEventOutbox,
    private readonly dueCalls: DueCallsNotifier,
    private readonly metrics: CampaignMetricsService,
  ) {
    this.dialect = sqlDialectOf(dataSource);
    this.writer = new ContactCallWriter(this.dialect, options.insertChunkSize);
  }

  /** Creates the campaign, or answers the first response of a repeated `idempotencyKey`. */
  async create(
    account: CampaignAccount,
    request: NewCampaign | ImportedCampaign,
    options: CreateCampaignOptions = {},
  ): Promise<CreatedCampaign> {
    return (await this.createOrReplay(account, request, options)).campaign;
  }

  /**
   * As {@link create}, telling a replay from a new campaign. With an
   * `idempotencyKey`, the key is claimed first, in the creation transaction:
   * a repeat within 24 h of the same request writes nothing and returns the
   * first response; of another request, throws a 409
   * (`IdempotencyKeyConflictException`). An {@link ImportedCampaign} (a
   * streamed import) is written chunk by chunk from its spool, in the same
   * one transaction.
   */
  createOrReplay(
    account: CampaignAccount,
    request: NewCampaign | ImportedCampaign,
    options: CreateCampaignOptions = {},
  ): Promise<CampaignCreationResult> {
    const count = isSpooled(request.contacts)
      ? request.contacts.count
      : request.contacts.length;
    return this.metrics.timeCreation(count, () =>
      this.write(account, request, options),
    );
  }

  private async write(
    account: CampaignAccount,
    request: NewCampaign | ImportedCampaign,
    options: CreateCampaignOptions,
  ): Promise<CampaignCreationResult> {
    const { idempotencyKey } = options;
    // A host store's playbook is checked like a registered one.
    const provider = options.playbook?.provider
      ? JSON.stringify(validatePlaybookProvider(options.playbook.provider))
      : null;
    if (idempotencyKey !== undefined) assertValidIdempotencyKey(idempotencyKey);
    const rules = campaignCallingRules(request);
    const given = request.contacts;
    const spooled = isSpooled(given) ? given : null;
    const contacts = isSpooled(given) ? null : mergeDuplicateContacts(given);
    const total = isSpooled(given) ? given.count : given.length;
    const distinct = isSpooled(given) ? given.distinct : contacts!.length;
    const requestHash =
      idempotencyKey === undefined
        ? undefined
        : spooled
          ? await hashStreamedCampaignRequest(
              { ...request, ...rules },
              spooled.canonical(),
            )
          : hashCampaignRequest({
              ...(request as NewCampaign),
              ...rules,
            });
    const campaignId = randomUUID();
    const status = request.launchAt ? 'scheduled' : 'running';
    const recall = JSON.stringify(request.recall);
    const now = new Date();
    const created: CreatedCampaign = {
      campaign_id: campaignId,
      status,
      launch_at: request.launchAt?.toISOString() ?? null,
      contacts: distinct,
      calls: distinct,
      duplicates: total - distinct,
      recall: request.recall,
    };
    const result = await runTransaction(this.dataSource, async (manager) => {
      if (idempotencyKey !== undefined && requestHash !== undefined) {
        const claim = await this.idempotencyKeys.claim(
          manager,
          account.id,
          idempotencyKey,
          requestHash,
          created,
          now,
        );
        if (claim.kind === 'replay') {
          return { campaign: claim.response, replayed: true };
        }
      }
      await insertRows(
        manager,
        this.dialect,
        { table: 'campaigns', columns: CAMPAIGN_INSERT_COLUMNS },
        [
          [
            campaignId,
            account.id,
            request.playbookId,
            status,
            request.launchAt && this.dialect.date(request.launchAt),
            recall,
            distinct,
            distinct,
            total - distinct,
            this.dialect.date(now),
            request.launchAt ? null : this.dialect.date(now),
            rules.timezone,
            rules.callingWindow && JSON.stringify(rules.callingWindow),
            provider,
          ],
        ],
        1,
      );
      const batch = {
        accountId: account.id,
        campaignId,
        dueAt: request.launchAt ?? now,
        recall,
      };
      if (contacts) await this.writer.write(manager, { ...batch, contacts });
      else await this.writeSpooled(manager, batch, spooled!);
      const event = { campaignId, accountId: account.id, at: now };
      await this.outbox.append(manager, [
        { type: 'campaign.created', ...event },
        ...(status === 'running'
          ? [{ type: 'campaign.started' as const, ...event }]
          : []),
      ]);
      if (status === 'running') await this.dueCalls.notify(manager);
      return { campaign: created, replayed: false };
    });
    if (!result.replayed) {
      this.outbox.committed();
      if (status === 'running') this.dueCalls.committed();
      if (distinct >= LARGE_CAMPAIGN) this.refreshStatistics();
    }
    return result;
  }

  /**
   * A streamed import's contacts, a chunk at a time: duplicates within a
   * chunk merged, each phone's call queued with its first occurrence; a
   * repeat in a later chunk only updates the contact (the database upsert
   * merges it as the array path does).
   */
  private async writeSpooled(
    manager: EntityManager,
    batch: Omit<ContactCallBatch, 'contacts'>,
    spooled: SpooledContacts,
  ): Promise<void> {
    for await (const chunk of spooled.chunks(this.options.insertChunkSize)) {
      const firsts = new Set<string>();
      for (const { contact, first } of chunk) {
        if (first) firsts.add(contact.phone);
      }
      const merged = mergeDuplicateContacts(chunk.map((c) => c.contact));
      const queued: NewContact[] = [];
      const repeated: NewContact[] = [];
      for (const contact of merged) {
        (firsts.has(contact.phone) ? queued : repeated).push(contact);
      }
      if (queued.length) {
        await this.writer.write(manager, { ...batch, contacts: queued });
      }
      if (repeated.length) {
        await this.writer.write(manager, {
          ...batch,
          contacts: repeated,
          queueCalls: false,
        });
      }
    }
  }

  /**
   * After a large insert, fresh planner statistics keep the dialing loop's
   * claim on its index (with stale ones PostgreSQL scans the backlog). In the
   * background, at most every 10 s per process.
   */
  private refreshStatistics(): void {
    const analyze = this.dialect.analyze([
      'campaign_calls',
      'campaign_contacts',
    ]);
    if (!analyze) return;
    const now = Date.now();
    if (now - this.analyzedAt < ANALYZE_INTERVAL_MS) return;
    this.analyzedAt = now;
    this.dataSource
      .query(analyze)
      .catch((error: Error) =>
        this.logger.warn(`could not analyze campaign tables: ${error.message}`),
      );
  }
}

/**
 * A campaign's `timezone` and `calling_window` as stored: the canonical zone
 * name, the window's days ascending, null for absent. The HTTP pipe has
 * checked them already; a direct caller of the service gets the same 400.
 */
function campaignCallingRules(request: NewCampaign | ImportedCampaign): {
  timezone: string | null;
  callingWindow: CallingWindow | null;
} {
  let timezone: string | null = null;
  if (request.timezone !== undefined && request.timezone !== null) {
    timezone = canonicalTimeZone(request.timezone) ?? null;
    if (timezone === null) {
      throw new InvalidCampaignRequestException([
        { field: 'timezone', message: 'must be a valid IANA time zone' },
      ]);
    }
  }
  const window = parseCampaignCallingWindow(request.callingWindow);
  if (!window.ok) throw new InvalidCampaignRequestException(window.problems);
  return { timezone, callingWindow: window.value };
}

function isSpooled(
  contacts: NewContact[] | SpooledContacts,
): contacts is SpooledContacts {
  return !Array.isArray(contacts);
}

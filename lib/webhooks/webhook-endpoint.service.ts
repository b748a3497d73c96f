import { ConflictException, Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { runTransaction } from '../database/run-transaction';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import {
  DURABLE_CAMPAIGN_EVENT_TYPES,
  type DurableCampaignEventType,
} from '../events/campaign-event-fanout.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { CAMPAIGN_CLOCK } from '../scheduler/campaign-clock.provider';
import type { CampaignClock } from '../scheduler/campaign-clock';
import {
  InvalidCampaignRequestException,
  type FieldProblem,
} from '../validation/field-problem';
import { WEBHOOK_DELIVERY_LIST_QUERY } from '../validation/list-queries';
import { parseListQuery } from '../validation/list-query.parser';
import { encodeDeliveryCursor } from '../database/cursor';
import {
  WEBHOOK_LIMITS,
  type CreateWebhookEndpointInput,
  type ListWebhookDeliveriesOptions,
  type UpdateWebhookEndpointInput,
  type WebhookDeliveryInfo,
  type WebhookDeliveryPage,
  type WebhookDisabledReason,
  type WebhookEndpointDisabledEvent,
  type WebhookEndpointInfo,
  type WebhookEndpointWithSecret,
} from './webhook-endpoint.interface';
import {
  generateWebhookSecret,
  secretHint,
  WEBHOOK_SECRET_OVERLAP_MS,
} from './webhook-signer';
import { WebhookUrlPolicy, WebhookUrlRefusedError } from './webhook-url.policy';

interface EndpointRow {
  id: string;
  account_id: string;
  url: string;
  description: string | null;
  secret: string;
  event_types: unknown;
  disabled_at: unknown;
  disabled_reason: WebhookDisabledReason | null;
  failing_since: unknown;
  created_at: unknown;
  updated_at: unknown;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  event_sequence: number | string;
  campaign_id: string;
  status: WebhookDeliveryInfo['status'];
  attempts: number | string;
  next_attempt_at: unknown;
  last_attempt_at: unknown;
  last_status_code: number | string | null;
  last_error: string | null;
  delivered_at: unknown;
  redelivery_of: string | null;
  created_at: unknown;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number | string;
  attempted_at: unknown;
  result: string;
  status_code: number | string | null;
  latency_ms: number | string;
  error: string | null;
}

const ENDPOINT_COLUMNS =
  'id, account_id, url, description, secret, event_types, disabled_at, disabled_reason, failing_since, created_at, updated_at';
const DELIVERY_COLUMNS =
  'id, event_id, event_type, event_sequence, campaign_id, status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, delivered_at, redelivery_of, created_at';

const num = (value: number | string): number => Number(value);
const numOrNull = (value: number | string | null): number | null =>
  value === null ? null : Number(value);

/**
 * Webhook endpoints of an account (see README, "Webhooks"): create, list,
 * change, re-enable, rotate the secret, delete; the delivery log and manual
 * redelivery. Every method takes the account: another account's endpoint
 * is "not found" (null / false).
 */
@Injectable()
export class WebhookEndpointService {
  private readonly logger = new Logger('CampaignWebhooks');
  private readonly dialect: SqlDialect;
  private readonly disabledListeners = new Set<
    (event: WebhookEndpointDisabledEvent) => unknown
  >();

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
    private readonly policy: WebhookUrlPolicy,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /** Registers an endpoint; the answer carries its secret, the only time it is shown. */
  async create(
    accountId: string,
    input: CreateWebhookEndpointInput,
  ): Promise<WebhookEndpointWithSecret> {
    const events = checkEvents(input.events) ?? [
      ...DURABLE_CAMPAIGN_EVENT_TYPES,
    ];
    const description = checkDescription(input.description) ?? null;
    const url = await this.checkUrl(input.url);
    const now = await this.clock.now();
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const d = this.dialect;
    await runTransaction(this.dataSource, async (m) => {
      const p = new SqlParams(d);
      const [row] = await m.query<{ n: number | string }[]>(
        `SELECT COUNT(*) AS n FROM campaign_webhook_endpoints WHERE account_id = ${p.add(accountId)}`,
        p.values,
      );
      const max = this.options.webhooks.maxEndpointsPerAccount;
      if (Number(row.n) >= max) {
        throw new ConflictException(
          `An account may have at most ${max} webhook endpoints`,
        );
      }
      const q = new SqlParams(d);
      await m.query(
        `INSERT INTO campaign_webhook_endpoints (id, account_id, url, description, secret, event_types, created_at, updated_at)
         VALUES (${q.add(id)}, ${q.add(accountId)}, ${q.add(url)}, ${q.add(description)}, ${q.add(secret)}, ${q.add(JSON.stringify(events))}, ${q.add(d.date(now))}, ${q.add(d.date(now))})`,
        q.values,
      );
    });
    const created = await this.row(accountId, id);
    return { ...this.info(created!), secret };
  }

  /** The account's endpoints, oldest first (at most `webhooks.maxEndpointsPerAccount`). */
  async list(accountId: string): Promise<WebhookEndpointInfo[]> {
    const p = new SqlParams(this.dialect);
    const rows = await this.dataSource.query<EndpointRow[]>(
      `SELECT ${ENDPOINT_COLUMNS} FROM campaign_webhook_endpoints
       WHERE account_id = ${p.add(accountId)} ORDER BY created_at, id`,
      p.values,
    );
    return rows.map((r) => this.info(r));
  }

  async get(
    accountId: string,
    id: string,
  ): Promise<WebhookEndpointInfo | null> {
    const row = await this.row(accountId, id);
    return row ? this.info(row) : null;
  }

  /**
   * Changes the URL, events or description; `enabled: true` re-enables
   * (see {@link enable}), `enabled: false` disables. A new URL is checked
   * like a new endpoint's and starts with a clean failure record.
   */
  async update(
    accountId: string,
    id: string,
    input: UpdateWebhookEndpointInput,
  ): Promise<WebhookEndpointInfo | null> {
    const events = checkEvents(input.events);
    const description = checkDescription(input.description);
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean') {
      throw invalid('enabled', 'must be a boolean');
    }
    const found = await this.row(accountId, id);
    if (!found) return null;
    id = found.id;
    const url =
      input.url === undefined ? undefined : await this.checkUrl(input.url);
    const now = await this.clock.now();
    const d = this.dialect;
    await runTransaction(this.dataSource, async (m) => {
      const p = new SqlParams(d);
      const sets = [`updated_at = ${p.add(d.date(now))}`];
      if (url !== undefined) {
        sets.push(`url = ${p.add(url)}`, 'failing_since = NULL');
      }
      if (events !== undefined) {
        sets.push(`event_types = ${p.add(JSON.stringify(events))}`);
      }
      if (description !== undefined) {
        sets.push(`description = ${p.add(description)}`);
      }
      if (input.enabled === false) {
        sets.push(
          `disabled_at = COALESCE(disabled_at, ${p.add(d.date(now))})`,
          `disabled_reason = COALESCE(disabled_reason, 'manual')`,
        );
      }
      await m.query(
        `UPDATE campaign_webhook_endpoints SET ${sets.join(', ')}
         WHERE id = ${p.add(id)} AND account_id = ${p.add(accountId)}`,
        p.values,
      );
      if (input.enabled === true) await this.reenable(m, id, now);
    });
    return this.get(accountId, id);
  }

  /**
   * Re-enables an endpoint: its pending deliveries, and those that failed
   * during the failing stretch that disabled it, go again now with a fresh
   * retry window. Enabling an enabled endpoint changes nothing.
   */
  async enable(
    accountId: string,
    id: string,
  ): Promise<WebhookEndpointInfo | null> {
    const found = await this.row(accountId, id);
    if (!found) return null;
    const now = await this.clock.now();
    await runTransaction(this.dataSource, (m) =>
      this.reenable(m, found.id, now),
    );
    return this.get(accountId, id);
  }

  /**
   * A new secret, signing every try from now on; the answer carries it. The
   * secret it replaces signs too for 24 h (two signatures in
   * `webhook-signature`), so receivers can switch without losing a webhook.
   */
  async rotateSecret(
    accountId: string,
    id: string,
  ): Promise<WebhookEndpointWithSecret | null> {
    const found = await this.row(accountId, id);
    if (!found) return null;
    id = found.id;
    const secret = generateWebhookSecret();
    const now = await this.clock.now();
    const d = this.dialect;
    await runTransaction(this.dataSource, async (m) => {
      const p = new SqlParams(d);
      await m.query(
        `UPDATE campaign_webhook_endpoints
         SET previous_secret = secret, previous_secret_expires_at = ${p.add(d.date(new Date(now.getTime() + WEBHOOK_SECRET_OVERLAP_MS)))},
             secret = ${p.add(secret)}, updated_at = ${p.add(d.date(now))}
         WHERE id = ${p.add(id)} AND account_id = ${p.add(accountId)}`,
        p.values,
      );
    });
    const row = await this.row(accountId, id);
    return row ? { ...this.info(row), secret } : null;
  }

  /** Deletes the endpoint with its deliveries and their log; false when not found. */
  async remove(accountId: string, id: string): Promise<boolean> {
    if (!isUUID(id)) return false;
    id = id.toLowerCase();
    return runTransaction(this.dataSource, async (m) => {
      const p = new SqlParams(this.dialect);
      const found = await m.query<unknown[]>(
        `SELECT id FROM campaign_webhook_endpoints WHERE id = ${p.add(id)} AND account_id = ${p.add(accountId)}`,
        p.values,
      );
      if (!found.length) return false;
      for (const table of [
        'campaign_webhook_attempts',
        'campaign_webhook_deliveries',
      ]) {
        const q = new SqlParams(this.dialect);
        await m.query(
          `DELETE FROM ${table} WHERE endpoint_id = ${q.add(id)}`,
          q.values,
        );
      }
      const q = new SqlParams(this.dialect);
      await m.query(
        `DELETE FROM campaign_webhook_endpoints WHERE id = ${q.add(id)}`,
        q.values,
      );
      return true;
    });
  }

  /**
   * The endpoint's deliveries, newest first, each with its tries (time,
   * result, status code, latency, error). `limit` 1 to 200 (default 50);
   * `status` filters. Null when the endpoint is not found.
   */
  async listDeliveries(
    accountId: string,
    endpointId: string,
    options: ListWebhookDeliveriesOptions = {},
  ): Promise<WebhookDeliveryPage | null> {
    const { limit, cursor, params } = parseListQuery(
      WEBHOOK_DELIVERY_LIST_QUERY,
      { ...options },
    );
    const endpoint = await this.row(accountId, endpointId);
    if (!endpoint) return null;
    const d = this.dialect;
    const p = new SqlParams(d);
    const where = [`endpoint_id = ${p.add(endpoint.id)}`];
    if (params.status) where.push(`status = ${p.add(params.status)}`);
    if (cursor) {
      const at = d.date(cursor.createdAt);
      where.push(
        `(created_at < ${p.add(at)} OR (created_at = ${p.add(at)} AND id < ${p.add(cursor.id)}))`,
      );
    }
    const rows = await this.dataSource.query<DeliveryRow[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM campaign_webhook_deliveries
       WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT ${p.add(limit + 1)}`,
      p.values,
    );
    const page = rows.slice(0, limit);
    const tries = await this.triesOf(page.map((r) => r.id));
    const data = page.map((r) => this.deliveryInfo(r, tries.get(r.id) ?? []));
    const last = page[page.length - 1];
    return {
      data,
      next_cursor:
        rows.length > limit && last
          ? encodeDeliveryCursor({
              createdAt: d.readDate(last.created_at),
              id: last.id,
            })
          : null,
    };
  }

  /**
   * Manual redelivery: a new delivery of the same event (same `webhook-id`,
   * same body), due now, whatever became of the first one. Null when the
   * endpoint or delivery is not found; 409 when the endpoint is disabled.
   */
  async redeliver(
    accountId: string,
    endpointId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryInfo | null> {
    const endpoint = await this.row(accountId, endpointId);
    if (!endpoint || !isUUID(deliveryId)) return null;
    if (endpoint.disabled_at !== null) {
      throw new ConflictException('The endpoint is disabled: enable it first');
    }
    const now = await this.clock.now();
    const d = this.dialect;
    const id = randomUUID();
    await runTransaction(this.dataSource, async (m) => {
      const p = new SqlParams(d);
      await m.query(
        `INSERT INTO campaign_webhook_deliveries
           (id, endpoint_id, account_id, campaign_id, event_id, event_type, event_sequence, payload, status, next_attempt_at, redelivery_of, created_at)
         SELECT ${p.add(id)}, endpoint_id, account_id, campaign_id, event_id, event_type, event_sequence, payload, 'pending', ${p.add(d.date(now))}, COALESCE(redelivery_of, id), ${p.add(d.date(now))}
         FROM campaign_webhook_deliveries WHERE id = ${p.add(deliveryId.toLowerCase())} AND endpoint_id = ${p.add(endpoint.id)}`,
        p.values,
      );
    });
    const p = new SqlParams(d);
    // No row: there was no such delivery to copy.
    const [row] = await this.dataSource.query<DeliveryRow[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM campaign_webhook_deliveries WHERE id = ${p.add(id)}`,
      p.values,
    );
    return row ? this.deliveryInfo(row, []) : null;
  }

  /** Listens for endpoints the delivery worker disables; returns the function that stops it. */
  onEndpointDisabled(
    listener: (event: WebhookEndpointDisabledEvent) => unknown,
  ): () => void {
    this.disabledListeners.add(listener);
    return () => this.disabledListeners.delete(listener);
  }

  /** Called by the delivery worker after it committed a disable. */
  notifyDisabled(event: WebhookEndpointDisabledEvent): void {
    for (const listener of this.disabledListeners) {
      try {
        const result = listener(event);
        if (result instanceof Promise)
          result.catch((e) => this.listenerFailed(e));
      } catch (error) {
        this.listenerFailed(error);
      }
    }
  }

  private listenerFailed(error: unknown): void {
    this.logger.error(
      `a webhook.endpoint.disabled listener failed: ${(error as Error)?.message ?? String(error)}`,
    );
  }

  private async reenable(
    m: EntityManager,
    id: string,
    now: Date,
  ): Promise<void> {
    const d = this.dialect;
    const [endpoint] = await d.update<{ failing_since: unknown }>(m, {
      table: 'campaign_webhook_endpoints',
      set: (p) =>
        `disabled_at = NULL, disabled_reason = NULL, updated_at = ${p.add(d.date(now))}`,
      where: (p) => `id = ${p.add(id)} AND disabled_at IS NOT NULL`,
      returning: ['failing_since'],
    });
    if (!endpoint) return;
    const q = new SqlParams(d);
    const sets = `status = 'pending', next_attempt_at = ${q.add(d.date(now))}, window_tries = 0, first_tried_at = NULL`;
    const where = `endpoint_id = ${q.add(id)}`;
    const again =
      endpoint.failing_since === null
        ? ''
        : ` OR (status = 'failed' AND last_attempt_at >= ${q.add(d.date(d.readDate(endpoint.failing_since)))})`;
    await m.query(
      `UPDATE campaign_webhook_deliveries SET ${sets}
       WHERE ${where} AND (status = 'pending'${again})`,
      q.values,
    );
    const r = new SqlParams(d);
    await m.query(
      `UPDATE campaign_webhook_endpoints SET failing_since = NULL WHERE id = ${r.add(id)}`,
      r.values,
    );
  }

  private async checkUrl(value: unknown): Promise<string> {
    if (typeof value !== 'string' || !value.trim()) {
      throw invalid('url', 'must be an https URL');
    }
    try {
      return (await this.policy.check(value.trim())).toString();
    } catch (error) {
      if (error instanceof WebhookUrlRefusedError) {
        throw invalid('url', error.message);
      }
      throw error;
    }
  }

  private async row(
    accountId: string,
    id: string,
  ): Promise<EndpointRow | null> {
    if (!isUUID(id)) return null;
    const p = new SqlParams(this.dialect);
    const [row] = await this.dataSource.query<EndpointRow[]>(
      `SELECT ${ENDPOINT_COLUMNS} FROM campaign_webhook_endpoints
       WHERE id = ${p.add(id.toLowerCase())} AND account_id = ${p.add(accountId)}`,
      p.values,
    );
    return row ?? null;
  }

  private async triesOf(ids: string[]) {
    const byDelivery = new Map<string, WebhookDeliveryInfo['tries']>();
    if (!ids.length) return byDelivery;
    const d = this.dialect;
    const p = new SqlParams(d);
    const rows = await this.dataSource.query<AttemptRow[]>(
      `SELECT delivery_id, attempt, attempted_at, result, status_code, latency_ms, error
       FROM campaign_webhook_attempts WHERE delivery_id IN ${p.list(ids)}
       ORDER BY delivery_id, attempt`,
      p.values,
    );
    for (const r of rows) {
      const list = byDelivery.get(r.delivery_id) ?? [];
      list.push({
        attempt: num(r.attempt),
        attempted_at: d.readDate(r.attempted_at).toISOString(),
        result: r.result,
        status_code: numOrNull(r.status_code),
        latency_ms: num(r.latency_ms),
        error: r.error,
      });
      byDelivery.set(r.delivery_id, list);
    }
    return byDelivery;
  }

  private info(row: EndpointRow): WebhookEndpointInfo {
    const d = this.dialect;
    const date = (v: unknown) =>
      v === null ? null : d.readDate(v).toISOString();
    return {
      id: row.id,
      url: row.url,
      description: row.description,
      events: d.readJson<DurableCampaignEventType[]>(row.event_types),
      enabled: row.disabled_at === null,
      disabled_at: date(row.disabled_at),
      disabled_reason: row.disabled_reason,
      failing_since: date(row.failing_since),
      secret_hint: secretHint(row.secret),
      created_at: d.readDate(row.created_at).toISOString(),
      updated_at: d.readDate(row.updated_at).toISOString(),
    };
  }

  private deliveryInfo(
    row: DeliveryRow,
    tries: WebhookDeliveryInfo['tries'],
  ): WebhookDeliveryInfo {
    const d = this.dialect;
    const date = (v: unknown) =>
      v === null ? null : d.readDate(v).toISOString();
    return {
      id: row.id,
      event_id: row.event_id,
      event_type: row.event_type,
      sequence: num(row.event_sequence),
      campaign_id: row.campaign_id,
      status: row.status,
      attempts: num(row.attempts),
      next_attempt_at:
        row.status === 'pending' ? date(row.next_attempt_at) : null,
      last_attempt_at: date(row.last_attempt_at),
      last_status_code: numOrNull(row.last_status_code),
      last_error: row.last_error,
      delivered_at: date(row.delivered_at),
      redelivery_of: row.redelivery_of,
      created_at: d.readDate(row.created_at).toISOString(),
      tries,
    };
  }
}

const invalid = (field: string, message: string) =>
  new InvalidCampaignRequestException([{ field, message }]);

/** The event list when given (checked), else undefined. */
function checkEvents(value: unknown): DurableCampaignEventType[] | undefined {
  if (value === undefined) return undefined;
  const problems: FieldProblem[] = [];
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({
      field: 'events',
      message: 'must be a non-empty array of event types',
    });
  } else {
    value.forEach((type, i) => {
      if (
        !DURABLE_CAMPAIGN_EVENT_TYPES.includes(type as DurableCampaignEventType)
      ) {
        problems.push({
          field: `events.${i}`,
          message: `must be one of: ${DURABLE_CAMPAIGN_EVENT_TYPES.join(', ')}`,
        });
      }
    });
  }
  if (problems.length) throw new InvalidCampaignRequestException(problems);
  return [...new Set(value as DurableCampaignEventType[])];
}

function checkDescription(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string')
    throw invalid('description', 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length > WEBHOOK_LIMITS.descriptionMaxLength) {
    throw invalid(
      'description',
      `must be at most ${WEBHOOK_LIMITS.descriptionMaxLength} characters`,
    );
  }
  return trimmed || null;
}

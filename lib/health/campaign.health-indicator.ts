import {
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import {
  sqlStatusList,
  WAITING_CALL_STATUSES,
} from '../entities/campaign-status';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import type { CampaignClock } from '../scheduler/campaign-clock';
import { CAMPAIGN_CLOCK } from '../scheduler/campaign-clock.provider';
import { DialingLoopService } from '../scheduler/dialing-loop.service';
import { CampaignEventRelayService } from '../events/campaign-event-relay.service';
import type {
  BacklogHealth,
  CampaignHealthDetails,
  CampaignHealthOptions,
  DatabaseHealth,
  OutboxHealth,
} from './campaign-health.interface';
import { loopHealth } from './loop-health';

/** Default bound on each database read of a check. */
export const DEFAULT_HEALTH_DATABASE_TIMEOUT_MS = 2_000;
/** Default most age of the oldest due waiting call. */
export const DEFAULT_MAX_BACKLOG_LAG_MS = 5 * 60_000;
/** Default most age of the oldest undelivered event. */
export const DEFAULT_MAX_OUTBOX_LAG_MS = 60_000;
/** The default most tick age is this many tick intervals plus the slack. */
const TICK_AGE_INTERVALS = 3;
const TICK_AGE_SLACK_MS = 5_000;

/** What the indicator reads, from the application's one `CampaignModule`. */
interface CampaignParts {
  dataSource: DataSource;
  dialect: SqlDialect;
  options: ResolvedCampaignOptions;
  clock: CampaignClock;
  loop: DialingLoopService;
  relay: CampaignEventRelayService;
}

/**
 * A `@nestjs/terminus` health indicator for `CampaignModule`: the database
 * answers, this replica's dialing loop ticks, the due calls do not wait
 * too long, and the outbox drains (no event waits too long for delivery). Provided by `CampaignHealthModule`.
 */
@Injectable()
export class CampaignHealthIndicator
  implements OnModuleInit, OnApplicationBootstrap
{
  private parts: CampaignParts | null = null;
  private startedAt = new Date();

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * The module's providers, wherever the host imported `CampaignModule`
   * (global or not): one per application, so the lookup is unambiguous.
   */
  onModuleInit(): void {
    const find = <T>(token: symbol | (new (...args: never[]) => T)): T => {
      try {
        return this.moduleRef.get<T>(token, { strict: false });
      } catch {
        throw new Error(
          'CampaignHealthModule needs CampaignModule.forRoot() (or forRootAsync()) imported in the same application',
        );
      }
    };
    const dataSource = find<DataSource>(CAMPAIGN_DATA_SOURCE);
    this.parts = {
      dataSource,
      dialect: sqlDialectOf(dataSource),
      options: find<ResolvedCampaignOptions>(CAMPAIGN_OPTIONS),
      clock: find<CampaignClock>(CAMPAIGN_CLOCK),
      loop: find(DialingLoopService),
      relay: find(CampaignEventRelayService),
    };
  }

  /** The loop starts now: a first tick that never ends is measured from here. */
  onApplicationBootstrap(): void {
    this.startedAt = new Date();
  }

  /**
   * Up when the database answers, the loop ticks (or does not run in this
   * replica) and the oldest due call waits less than the threshold; the
   * details give each check's measured values.
   */
  async isHealthy<const Key extends string>(
    key: Key,
    options: CampaignHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key, 'up' | 'down', CampaignHealthDetails>> {
    const parts = this.resolved();
    const timeoutMs =
      options.databaseTimeoutMs ?? DEFAULT_HEALTH_DATABASE_TIMEOUT_MS;
    const [database, backlog, outbox] = await Promise.all([
      this.checkDatabase(parts, timeoutMs),
      this.checkBacklog(
        parts,
        options.maxBacklogLagMs ?? DEFAULT_MAX_BACKLOG_LAG_MS,
        timeoutMs,
      ),
      this.checkOutbox(
        parts,
        options.maxOutboxLagMs ?? DEFAULT_MAX_OUTBOX_LAG_MS,
        timeoutMs,
      ),
    ]);
    const scheduler = parts.options.scheduler;
    const loop = loopHealth({
      offReason: !scheduler.enabled
        ? 'scheduler.enabled is false'
        : !parts.options.dialer
          ? 'no dialer configured'
          : null,
      running: parts.loop.running,
      lastTickEndedAt: parts.loop.lastTickEndedAt,
      startedAt: this.startedAt,
      // The loop stamps its ticks with the process clock.
      now: new Date(),
      maxTickAgeMs:
        options.maxTickAgeMs ??
        TICK_AGE_INTERVALS * scheduler.tickIntervalMs + TICK_AGE_SLACK_MS,
    });
    const details = { database, loop, backlog, outbox };
    const failing = Object.entries(details)
      .filter(([, check]) => check.status === 'down')
      .map(([name, check]) => `${name}: ${check.message ?? 'down'}`);
    const indicator = this.health.check(key);
    return failing.length
      ? indicator.down({ ...details, message: failing.join('; ') })
      : indicator.up(details);
  }

  private resolved(): CampaignParts {
    if (!this.parts) {
      throw new Error('CampaignHealthIndicator is used before its module init');
    }
    return this.parts;
  }

  private async checkDatabase(
    { dataSource }: CampaignParts,
    timeoutMs: number,
  ): Promise<DatabaseHealth> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await withinTimeout(() => dataSource.query('SELECT 1'), timeoutMs);
      return { status: 'up', responseTimeMs: elapsed() };
    } catch (error) {
      return {
        status: 'down',
        responseTimeMs: elapsed(),
        message: messageOf(error),
      };
    }
  }

  /**
   * The oldest waiting call whose due time has passed, in a campaign the loop
   * should be dialing (running, or scheduled with its launch passed: the loop
   * activates it). A paused campaign's calls do not count; a call held back
   * by the calling rules waits with a future due time, so it does not either.
   */
  private async checkBacklog(
    parts: CampaignParts,
    maxLagMs: number,
    timeoutMs: number,
  ): Promise<BacklogHealth> {
    try {
      const { now, oldest } = await withinTimeout(async () => {
        const now = await parts.clock.now();
        return { now, oldest: await this.oldestDueCall(parts, now) };
      }, timeoutMs);
      const lagMs = lagSince(oldest, now);
      const measured = {
        oldestDueAt: oldest?.toISOString() ?? null,
        lagMs,
        maxLagMs,
      };
      return lagMs > maxLagMs
        ? {
            status: 'down',
            ...measured,
            message: `the oldest due call has waited ${lagMs} ms (max ${maxLagMs} ms)`,
          }
        : { status: 'up', ...measured };
    } catch (error) {
      return {
        status: 'down',
        oldestDueAt: null,
        lagMs: null,
        maxLagMs,
        message: messageOf(error),
      };
    }
  }

  /** The oldest event not delivered yet, by the module's clock. */
  private async checkOutbox(
    parts: CampaignParts,
    maxLagMs: number,
    timeoutMs: number,
  ): Promise<OutboxHealth> {
    try {
      const { now, pending, oldestAt } = await withinTimeout(async () => {
        const now = await parts.clock.now();
        return { now, ...(await parts.relay.backlog()) };
      }, timeoutMs);
      const lagMs = lagSince(oldestAt, now);
      const measured = {
        pending,
        oldestAt: oldestAt?.toISOString() ?? null,
        lagMs,
        maxLagMs,
      };
      return lagMs > maxLagMs
        ? {
            status: 'down',
            ...measured,
            message: `${pending} events undelivered, the oldest for ${lagMs} ms (max ${maxLagMs} ms)`,
          }
        : { status: 'up', ...measured };
    } catch (error) {
      return {
        status: 'down',
        pending: null,
        oldestAt: null,
        lagMs: null,
        maxLagMs,
        message: messageOf(error),
      };
    }
  }

  /** One row in due order through the partial index of waiting calls. */
  private async oldestDueCall(
    { dataSource, dialect }: CampaignParts,
    now: Date,
  ): Promise<Date | null> {
    const p = new SqlParams(dialect);
    const rows = await dataSource.query<{ due_at: unknown }[]>(
      `SELECT c.due_at FROM campaign_calls c
        JOIN campaigns k ON k.id = c.campaign_id
        WHERE c.status IN ${sqlStatusList(WAITING_CALL_STATUSES)}
          AND c.due_at <= ${p.add(dialect.date(now))}
          AND k.status IN ('running', 'scheduled')
        ORDER BY c.due_at
        LIMIT 1`,
      p.values,
    );
    return rows.length ? dialect.readDate(rows[0].due_at) : null;
  }
}

/** The work's answer, or a rejection when it takes longer than `ms`. */
async function withinTimeout<T>(
  work: () => Promise<T>,
  ms: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long ago `oldest` was, never negative; 0 when there is none. */
const lagSince = (oldest: Date | null, now: Date): number =>
  oldest ? Math.max(0, now.getTime() - oldest.getTime()) : 0;

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

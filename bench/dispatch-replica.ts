/**
 * One dialing replica for bench/dispatch.bench.ts, run as a child process
 * (`fork` with `-r ./scripts/swc-register.cjs`): a Nest application context
 * with TypeORM and the real `CampaignModule.forRoot(...)`, dialing with a
 * no-op dialer that answers at once and notes when each call was dialed.
 *
 * Config: JSON in BENCH_REPLICA_CONFIG. Messages from the parent:
 *   { type: 'go' }      start the measuring window (SQL, CPU, event loop)
 *   { type: 'create', … } SQLite only: create campaigns through this
 *                       process's CampaignCreationService (one process)
 *   { type: 'stop' }    close the app (the loop drains) and report
 */
// First: an opt-in what-if must replace lib/ modules before lib/ loads.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import type { DataSource, DataSourceOptions } from 'typeorm';
import {
  CAMPAIGN_DATA_SOURCE,
  CAMPAIGN_ENTITIES,
  CampaignCreationService,
  CampaignModule,
  DialingLoopService,
  getCampaignMigrations,
  type CampaignDialer,
  type TickReport,
} from '../lib';
import {
  announceReady,
  childConfig,
  failChild,
  newCampaignOf,
  peakRssMb,
  sendToParent,
  type ReplicaConfig,
  type ParentMessage,
  type SqlStat,
} from './dispatch-shared';

const config = childConfig<ReplicaConfig>(
  'BENCH_REPLICA_CONFIG',
  'bench/dispatch-replica.ts',
);

// ------------------------------------------------------------ the dialer

const dialedIds: string[] = [];
const dialedAt: number[] = [];

/** Answers at once; the dial time is joined with the call's due_at later. */
const dialer: CampaignDialer = {
  dial(request) {
    dialedIds.push(request.callId);
    dialedAt.push(Date.now());
    return Promise.resolve({
      providerCallId: `bench-${request.callId}`,
      outcome: 'answered',
    });
  },
};

// ------------------------------------------------------------ measuring

let measuring = false;
const sql = new Map<string, SqlStat>();
/** Query runners whose open transaction wrote dial results. */
const recording = new WeakSet<object>();
/** Epoch ms when the last transaction that wrote dial results committed. */
let lastRecordedAt = 0;
const ticks = { count: 0, ms: 0, started: 0, maxMs: 0 };

/** Which of the dialing loop's statements a SQL text is. */
function sqlKind(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  if (s.startsWith('SELECT clock_timestamp()')) return 'clock';
  if (/^(START|BEGIN) TRANSACTION|^BEGIN/.test(s)) return 'begin';
  if (s.startsWith('COMMIT')) return 'commit';
  if (s.startsWith('ROLLBACK')) return 'rollback';
  if (s.startsWith("UPDATE campaigns SET status = 'running'"))
    return 'activate campaigns';
  if (s.startsWith("UPDATE campaigns SET status = 'completed'"))
    return 'complete campaigns';
  if (s.includes('lease_expires_at <=') && s.startsWith('SELECT'))
    return 'interrupt expired (select)';
  if (s.startsWith('SELECT account_id, COUNT(*)'))
    return 'claim: account capacity';
  if (s.startsWith('SELECT c.id, c.campaign_id')) return 'claim: select due';
  if (s.startsWith("UPDATE campaign_calls SET status = 'dialing'"))
    return 'claim: mark dialing';
  if (s.startsWith('UPDATE campaign_calls SET due_at')) return 'claim: defer';
  if (s.startsWith("UPDATE campaign_calls SET status = 'opted_out'"))
    return 'claim: end opted out';
  if (s.startsWith("UPDATE campaign_calls SET status = 'cancelled'"))
    return 'record: cancel retries';
  if (s.startsWith('INSERT INTO campaign_do_not_call'))
    return 'record: do-not-call';
  if (s.startsWith('INSERT INTO campaign_call_attempts'))
    return 'claim: insert attempts';
  if (s.startsWith('WITH v (id, attempt, status')) return 'record: move calls';
  if (s.startsWith('WITH v (call_id, attempt, outcome'))
    return 'record: end attempts';
  if (s.startsWith('WITH v (id, attempt)')) return 'record: await outcomes';
  return `other: ${s.slice(0, 40)}`;
}

/** Times every statement of the app's data source (query runner prototype). */
async function instrument(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  const proto = Object.getPrototypeOf(runner) as {
    query: (this: unknown, ...args: unknown[]) => Promise<unknown>;
  };
  await runner.release();
  const original = proto.query;
  proto.query = async function timed(this: unknown, ...args: unknown[]) {
    if (!measuring) return original.apply(this, args);
    const started = performance.now();
    const kind = sqlKind(String(args[0]));
    try {
      const result = await original.apply(this, args);
      if (kind === 'record: move calls') recording.add(this as object);
      if (kind === 'commit' && recording.delete(this as object))
        lastRecordedAt = Date.now();
      return result;
    } finally {
      const stat = sql.get(kind) ?? { count: 0, ms: 0, maxMs: 0, maxParams: 0 };
      const ms = performance.now() - started;
      stat.count++;
      stat.ms += ms;
      stat.maxMs = Math.max(stat.maxMs, ms);
      const params = Array.isArray(args[1]) ? args[1].length : 0;
      stat.maxParams = Math.max(stat.maxParams, params);
      sql.set(kind, stat);
    }
  };
}

/** Times every tick of the loop (wraps this instance's private runTick). */
function instrumentTicks(loop: DialingLoopService): void {
  const target = loop as unknown as { runTick(): Promise<TickReport> };
  const original = target.runTick.bind(loop);
  target.runTick = async () => {
    const started = performance.now();
    const report = await original();
    if (measuring && (report.started > 0 || report.activated > 0)) {
      const ms = performance.now() - started;
      ticks.count++;
      ticks.ms += ms;
      ticks.maxMs = Math.max(ticks.maxMs, ms);
      ticks.started += report.started;
    }
    return report;
  };
}

// ------------------------------------------------------------ the app

async function main(cfg: ReplicaConfig): Promise<void> {
  const bootStarted = performance.now();
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        ...cfg.database,
        entities: CAMPAIGN_ENTITIES,
        migrations: getCampaignMigrations(cfg.database.type),
        migrationsRun: cfg.runMigrations,
        synchronize: false,
        logging: false,
      } as DataSourceOptions),
      CampaignModule.forRoot({
        dialer,
        callingWindow: {
          start: '00:00',
          end: '23:59',
          days: [1, 2, 3, 4, 5, 6, 7],
        },
        maxContactsPerCampaign: 10_000,
        scheduler: cfg.scheduler,
      }),
    ],
  })
  class ReplicaHostModule {}

  const app = await NestFactory.createApplicationContext(ReplicaHostModule, {
    logger: ['error', 'warn'],
  });
  const dataSource = app.get<DataSource>(CAMPAIGN_DATA_SOURCE);
  await instrument(dataSource);
  instrumentTicks(app.get(DialingLoopService));
  const creation = app.get(CampaignCreationService);

  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  let window = performance.now();

  process.on('message', (raw) => {
    const message = raw as ParentMessage;
    void (async () => {
      switch (message.type) {
        case 'go':
          measuring = true;
          elu = performance.eventLoopUtilization();
          cpu = process.cpuUsage();
          window = performance.now();
          return;
        case 'create': {
          const started = performance.now();
          for (const c of message.campaigns) {
            await creation.create(
              { id: c.accountId },
              newCampaignOf(c, message.launchAt),
            );
          }
          await sendToParent({
            type: 'created',
            ms: performance.now() - started,
          });
          return;
        }
        case 'stop': {
          const windowMs = performance.now() - window;
          const usage = process.cpuUsage(cpu);
          const loopUse = performance.eventLoopUtilization(elu);
          measuring = false;
          await app.close();
          await sendToParent({
            type: 'done',
            replicaId: cfg.scheduler.replicaId,
            ids: dialedIds,
            times: dialedAt,
            lastRecordedAt,
            peakRssMb: peakRssMb(),
            windowMs,
            cpuMs: (usage.user + usage.system) / 1000,
            eventLoopUtilization: loopUse.utilization,
            sql: [...sql].map(([kind, s]) => ({ kind, ...s })),
            ticks,
          });
          process.exit(0);
        }
      }
    })().catch(failChild);
  });
  process.on('disconnect', () => process.exit(1));

  await announceReady(bootStarted);
}

main(config).catch(failChild);

/**
 * The systems of the dispatch bench, each able to take N due jobs from a
 * fresh database and run them with a no-op (or fixed-latency) handler:
 * the module (replicas are child processes of harness/campaign-app.ts),
 * pg-boss and graphile-worker (child processes, configured as their docs
 * recommend: see peer-settings.ts) and the floor, one
 * `UPDATE … FOR UPDATE SKIP LOCKED … RETURNING` statement a batch on the
 * module's own calls table, run from this process.
 */
import { makeWorkerUtils } from 'graphile-worker';
import { PgBoss } from 'pg-boss';
import { Client } from 'pg';
import type { CampaignModuleOptions } from '../../lib';
import type { CampaignAppConfig, Dials } from '../harness/campaign-app';
import { Child, nowMs } from '../harness/child';
import { makeContacts } from '../harness/contacts';
import type { BenchDatabase } from '../harness/database';
import { migrateCampaignTables } from '../harness/migrate';
import { PEER_QUEUE, type PeerConfig } from './peer-settings';

export type Kind = 'module' | 'pg-boss' | 'graphile-worker' | 'floor';

/** A system ready to run: its workers are up, its jobs are not yet written. */
export interface Prepared {
  /** Writes n jobs due at `launchAt` (epoch ms). */
  enqueue(n: number, launchAt: number): Promise<void>;
  /** Worker processes (their RSS is measured). */
  workers: Child[];
  /** A count of the jobs not done yet, for polling. */
  openSql: string;
  /** In-process work (the floor): runs from launch until done. */
  drive?: () => Promise<Dials[]>;
  /** Stops the workers and returns what each handled. */
  stop(): Promise<Dials[]>;
  /** Kills whatever child is left (after a failure). */
  kill(): Promise<void>;
}

const PER_CAMPAIGN = 10_000;

export interface PrepareOptions {
  kind: Kind;
  workers: number;
  db: BenchDatabase;
  /** Module replicas only. */
  moduleOptions?: Omit<CampaignModuleOptions, 'dialer'>;
  dialDelayMs?: number;
  /** Floor only: rows a statement. */
  batch?: number;
}

export async function prepare(o: PrepareOptions): Promise<Prepared> {
  switch (o.kind) {
    case 'module':
    case 'floor':
      return prepareModuleTables(o);
    case 'pg-boss':
      return preparePgBoss(o);
    case 'graphile-worker':
      return prepareGraphile(o);
  }
}

const stopAll = (children: Child[]) =>
  Promise.all(children.map((c) => c.stop<Dials>()));

const killAll = async (children: Child[]) => {
  await Promise.all(children.map((c) => c.kill()));
};

/**
 * The tables are created from this process; then the replicas and a
 * creator app (scheduler off, it writes the calls through
 * CampaignCreationService and exits, so that PostgreSQL has counted its
 * writes before the run) boot at once.
 */
async function prepareModuleTables(o: PrepareOptions): Promise<Prepared> {
  await migrateCampaignTables(o.db);
  const app = (
    options: CampaignAppConfig['options'],
    dialer: CampaignAppConfig['dialer'],
  ) =>
    new Child('harness/campaign-app.ts', {
      database: o.db.options,
      migrate: false,
      http: false,
      options,
      dialer,
    } satisfies CampaignAppConfig);
  const workers =
    o.kind === 'module'
      ? Array.from({ length: o.workers }, (_, i) =>
          app(
            {
              ...o.moduleOptions,
              scheduler: {
                ...o.moduleOptions?.scheduler,
                replicaId: `bench-${i + 1}`,
              },
            },
            { delayMs: o.dialDelayMs ?? 0 },
          ),
        )
      : [];
  const creator = app({ scheduler: { enabled: false } }, null);
  const children = [creator, ...workers];
  await Promise.all(children.map((w) => w.wait('ready')));
  const account = await creator.ask<{ accountId: string; playbookId: string }>({
    type: 'account',
  });
  return {
    workers,
    openSql: `SELECT COUNT(*) AS n FROM campaign_calls WHERE status IN ('queued', 'retry_pending', 'dialing')`,
    async enqueue(n, launchAt) {
      const campaigns: number[] = [];
      for (let left = n; left > 0; left -= PER_CAMPAIGN) {
        campaigns.push(Math.min(left, PER_CAMPAIGN));
      }
      await creator.ask(
        {
          type: 'create',
          accountId: account.accountId,
          playbookId: account.playbookId,
          campaigns,
          launchAt,
        },
        600_000,
      );
      await creator.stop();
    },
    drive:
      o.kind === 'floor'
        ? () => runFloor(o.db.url, o.workers, o.batch ?? 200)
        : undefined,
    stop: () => stopAll(workers),
    kill: () => killAll(children),
  };
}

/** The least a claim can do: one statement a batch, claimed and finished at once. */
async function runFloor(
  url: string,
  clients: number,
  batch: number,
): Promise<Dials[]> {
  const loop = async (): Promise<Dials> => {
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    const ids: string[] = [];
    const times: number[] = [];
    try {
      for (;;) {
        const { rows } = await client.query<{ id: string }>(
          `UPDATE campaign_calls SET status = 'answered', attempt_count = attempt_count + 1,
             completed_at = now(), updated_at = now()
           WHERE id IN (SELECT id FROM campaign_calls WHERE status = 'queued' AND due_at <= now()
             ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING id`,
          [batch],
        );
        if (rows.length === 0) break;
        const at = nowMs();
        for (const r of rows) {
          ids.push(r.id);
          times.push(at);
        }
      }
    } finally {
      await client.end();
    }
    return { type: 'stop', ids, times };
  };
  return Promise.all(Array.from({ length: clients }, loop));
}

function peerWorkers(script: string, o: PrepareOptions): Child[] {
  const config: PeerConfig = { url: o.db.url, reportEachJob: false };
  return Array.from({ length: o.workers }, () => new Child(script, config));
}

const payloads = (n: number) => makeContacts(n).map((contact) => ({ contact }));

async function preparePgBoss(o: PrepareOptions): Promise<Prepared> {
  const boss = new PgBoss({
    connectionString: o.db.url,
    supervise: false,
    schedule: false,
  });
  boss.on('error', (error) => console.error('pg-boss:', error));
  await boss.start();
  await boss.createQueue(PEER_QUEUE);
  const workers = peerWorkers('dispatch/pgboss-worker.ts', o);
  await Promise.all(workers.map((w) => w.wait('ready')));
  return {
    workers,
    openSql: `SELECT COUNT(*) AS n FROM pgboss.job WHERE name = '${PEER_QUEUE}' AND state IN ('created', 'retry', 'active')`,
    async enqueue(n, launchAt) {
      const startAfter = new Date(launchAt);
      await boss.insert(
        PEER_QUEUE,
        payloads(n).map((data) => ({ data, startAfter })),
      );
      await boss.stop({ graceful: false });
    },
    stop: () => stopAll(workers),
    kill: () => killAll(workers),
  };
}

async function prepareGraphile(o: PrepareOptions): Promise<Prepared> {
  const utils = await makeWorkerUtils({ connectionString: o.db.url });
  await utils.migrate();
  const workers = peerWorkers('dispatch/graphile-worker.ts', o);
  await Promise.all(workers.map((w) => w.wait('ready')));
  return {
    workers,
    openSql: `SELECT COUNT(*) AS n FROM graphile_worker._private_jobs`,
    async enqueue(n, launchAt) {
      const runAt = new Date(launchAt);
      const all = payloads(n);
      for (let i = 0; i < all.length; i += 5_000) {
        await utils.addJobs(
          all.slice(i, i + 5_000).map((payload) => ({
            identifier: PEER_QUEUE,
            payload,
            runAt,
          })),
        );
      }
      await utils.release();
    },
    stop: () => stopAll(workers),
    kill: () => killAll(workers),
  };
}

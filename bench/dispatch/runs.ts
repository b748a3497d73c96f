/** One measured run of the dispatch bench, and one latency sample series. */
import { setTimeout as sleep } from 'node:timers/promises';
import { makeWorkerUtils } from 'graphile-worker';
import type { CampaignModuleOptions } from '../../lib';
import type { CampaignAppConfig, Dials } from '../harness/campaign-app';
import { Child, nowMs, type Message } from '../harness/child';
import { jsonBody, makeContacts } from '../harness/contacts';
import { createPostgresDatabase } from '../harness/database';
import { post } from '../harness/http';
import { pgCounters, waitForZero } from '../harness/pg-stats';
import { peakRssMb, resetPeakRss } from '../harness/rss';
import { percentile } from '../harness/stats';
import { PEER_QUEUE, type PeerConfig } from './peer-settings';
import { prepare, type PrepareOptions, type Prepared } from './systems';

export interface ThroughputResult {
  /** Jobs / (last done − first handled): the polling phase at the due time is not in it. */
  jobsPerSecond: number;
  /** First job handled, ms after the due time. */
  firstMs: number;
  p50LagMs: number;
  p99LagMs: number;
  /** Highest peak RSS of one worker process during the run (NaN: in-process floor). */
  peakRssMb: number;
  xactsPer1000: number;
  rowsPerJob: number;
  notes: string[];
}

/** Longest a run may take once its jobs are due. */
const RUN_TIMEOUT_MS = 180_000;

/** How long writing the jobs took last time, per system: the next ones are due after it. */
const lastEnqueueMs = new Map<string, number>();

export async function throughputRun(
  name: string,
  n: number,
  o: Omit<PrepareOptions, 'db'>,
): Promise<ThroughputResult> {
  const db = await createPostgresDatabase();
  const notes: string[] = [];
  let system: Prepared | undefined;
  try {
    system = await prepare({ ...o, db });
    const lead = 1.5 * (lastEnqueueMs.get(name) ?? 300 + n * 0.3) + 300;
    const launchAt = Date.now() + lead;
    const enqueued = performance.now();
    await system.enqueue(n, launchAt);
    lastEnqueueMs.set(name, performance.now() - enqueued);
    if (Date.now() > launchAt) notes.push('jobs written after their due time');
    const before = await pgCounters(db.url);
    await sleep(Math.max(0, launchAt - Date.now()));
    for (const w of system.workers) resetPeakRss(w.pid);
    const driven = system.drive?.();
    const done = await waitForZero(db.url, system.openSql, RUN_TIMEOUT_MS);
    const rss = system.workers.map((w) => peakRssMb(w.pid));
    const dials = driven ? await driven : await system.stop();
    const after = await pgCounters(db.url);
    if (!done) notes.push(`not done after ${RUN_TIMEOUT_MS / 1000} s`);
    const lags = dials.flatMap((d) => d.times.map((t) => t - launchAt));
    const first = launchAt + Math.min(...lags);
    const handled = new Set(dials.flatMap((d) => d.ids)).size;
    if (handled !== n) notes.push(`${handled} of ${n} jobs handled`);
    if (lags.length !== handled) {
      notes.push(`${lags.length - handled} handled twice`);
    }
    if (dials.length > 1) {
      notes.push(
        `dials a worker ${dials.map((d) => d.ids.length).join(' / ')}`,
      );
    }
    // The poller's own transactions (1 a poll, 2 for the counter reads) are not the system's.
    const xacts = after.xacts - before.xacts - (done?.polls ?? 0) - 2;
    return {
      jobsPerSecond: done ? (n / (done.doneAt - first)) * 1000 : NaN,
      firstMs: first - launchAt,
      p50LagMs: percentile(lags, 50),
      p99LagMs: percentile(lags, 99),
      peakRssMb: rss.length ? Math.max(...rss) : NaN,
      xactsPer1000: (xacts / n) * 1000,
      rowsPerJob: (after.rows - before.rows) / n,
      notes,
    };
  } finally {
    await system?.kill();
    await db.drop();
  }
}

/** Random pauses between samples, so that they fall anywhere in a tick or poll interval. */
const pause = () => sleep(50 + Math.random() * 450);

/** `POST /campaign` of one contact, launched now → its dial in the replica; ms a sample. */
export async function moduleLatency(
  samples: number,
  moduleOptions: Omit<CampaignModuleOptions, 'dialer'>,
): Promise<number[]> {
  const db = await createPostgresDatabase();
  const config: CampaignAppConfig = {
    database: db.options,
    migrate: true,
    http: true,
    options: moduleOptions,
    dialer: { delayMs: 0, reportEachDial: true },
  };
  const app = new Child('harness/campaign-app.ts', config);
  try {
    const { port } = await app.wait<{ port: number }>('ready');
    const account = await app.ask<{ token: string; playbookId: string }>({
      type: 'account',
    });
    const dialed = new Map<string, number>();
    app.onMessage((m) => {
      if (m.type === 'dial') dialed.set(String(m.campaignId), Number(m.at));
    });
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      await pause();
      const body = jsonBody(account.playbookId, makeContacts(1));
      const res = await post(port, '/campaign', account.token, body);
      const answered = nowMs();
      if (res.status !== 202) {
        throw new Error(`POST /campaign answered ${res.status}: ${res.body}`);
      }
      const { campaign_id: id } = JSON.parse(res.body) as {
        campaign_id: string;
      };
      latencies.push((await waitFor(dialed, id)) - answered);
    }
    await app.stop();
    return latencies;
  } finally {
    await app.kill();
    await db.drop();
  }
}

/** graphile-worker's `addJob` resolved → its task started; ms a sample. */
export async function graphileLatency(samples: number): Promise<number[]> {
  const db = await createPostgresDatabase();
  const utils = await makeWorkerUtils({ connectionString: db.url });
  const config: PeerConfig = { url: db.url, reportEachJob: true };
  let worker: Child | undefined;
  try {
    await utils.migrate();
    worker = new Child('dispatch/graphile-worker.ts', config);
    await worker.wait('ready');
    const started = new Map<string, number>();
    worker.onMessage((m: Message) => {
      if (m.type === 'dial') started.set(String(m.id), Number(m.at));
    });
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      await pause();
      const job = await utils.addJob(PEER_QUEUE, {
        contact: makeContacts(1)[0],
      });
      const added = nowMs();
      latencies.push((await waitFor(started, job.id)) - added);
    }
    await worker.stop();
    return latencies;
  } finally {
    await worker?.kill();
    await utils.release();
    await db.drop();
  }
}

async function waitFor(
  seen: Map<string, number>,
  key: string,
): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (!seen.has(key)) {
    if (Date.now() > deadline) throw new Error(`no dial of ${key} within 30 s`);
    await sleep(1);
  }
  return seen.get(key)!;
}

export type { Dials };

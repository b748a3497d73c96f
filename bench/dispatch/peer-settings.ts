/**
 * How the peers are configured: for throughput, as their own docs recommend.
 *
 * pg-boss 12 (`work()` options, node_modules/pg-boss/dist/types.d.ts and
 * https://github.com/timgit/pg-boss/blob/12.37.0/docs/api/workers.md):
 * `batchSize` jobs per fetch; `localConcurrency` workers polling the queue in
 * each process ("Number of workers to spawn for this queue (per-node)");
 * `burstWhenBatchFull` fetches again at once while fetches come back full;
 * `pollingIntervalSeconds` must be >= 0.5 (its fastest idle poll). No
 * `notify`: the jobs are due later than they are written, and with notify on
 * the idle poll becomes `notifyPollingIntervalSeconds` (default 30 s).
 *
 * graphile-worker 0.18 (https://worker.graphile.org/docs/performance, the
 * configuration of its published numbers): `concurrentJobs: 24`,
 * `maxPoolSize: 25`, `localQueue: { size: 500 }` (batch fetching),
 * `completeJobBatchDelay: 0`, `failJobBatchDelay: 0` (batched completion).
 */
export const PGBOSS_SETTINGS = {
  batchSize: 200,
  localConcurrency: 2,
  burstWhenBatchFull: true,
  pollingIntervalSeconds: 0.5,
} as const;

export const GRAPHILE_SETTINGS = {
  concurrentJobs: 24,
  maxPoolSize: 25,
  localQueue: { size: 500 },
  completeJobBatchDelay: 0,
  failJobBatchDelay: 0,
} as const;

export const PEER_QUEUE = 'dial';

export interface PeerConfig {
  url: string;
  /** Send a 'dial' message to the parent for each job (latency mode). */
  reportEachJob: boolean;
}

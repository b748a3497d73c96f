/**
 * One pg-boss worker process for bench/dispatch.bench.ts: fetches jobs in
 * batches and completes each batch with a no-op handler that notes when it
 * saw each job. Config: JSON in BENCH_PGBOSS_CONFIG. Messages as in
 * bench/dispatch-replica.ts ('go', 'stop').
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PgBoss } from 'pg-boss';
import type {
  ParentMessage,
  PgBossWorkerConfig,
  ReplicaMessage,
} from './dispatch-shared';

const config = JSON.parse(
  process.env.BENCH_PGBOSS_CONFIG ?? 'null',
) as PgBossWorkerConfig | null;
if (!config || !process.send) {
  throw new Error(
    'bench/dispatch-pgboss-worker.ts is started by bench/dispatch.bench.ts',
  );
}

const send = (message: ReplicaMessage): Promise<void> =>
  new Promise((resolve, reject) =>
    process.send!(message, undefined, {}, (error) =>
      error ? reject(error) : resolve(),
    ),
  );

function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(
      readFileSync('/proc/self/status', 'utf8'),
    );
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / 1024 / 1024;
}

async function main(cfg: PgBossWorkerConfig): Promise<void> {
  const bootStarted = performance.now();
  const ids: string[] = [];
  const times: number[] = [];
  const boss = new PgBoss({ connectionString: cfg.url, schedule: false });
  boss.on('error', (error) => console.error('pg-boss worker:', error));
  await boss.start();
  await boss.work(
    cfg.queue,
    {
      batchSize: cfg.batchSize,
      pollingIntervalSeconds: cfg.pollingIntervalSeconds,
      // Fetch again at once while batches come back full.
      burstWhenBatchFull: true,
    },
    (jobs) => {
      const now = Date.now();
      for (const job of jobs) {
        ids.push(job.id);
        times.push(now);
      }
      return Promise.resolve();
    },
  );

  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  let window = performance.now();
  process.on('message', (raw) => {
    const message = raw as ParentMessage;
    void (async () => {
      if (message.type === 'go') {
        elu = performance.eventLoopUtilization();
        cpu = process.cpuUsage();
        window = performance.now();
      } else if (message.type === 'stop') {
        const windowMs = performance.now() - window;
        const usage = process.cpuUsage(cpu);
        const loopUse = performance.eventLoopUtilization(elu);
        await boss.stop({ graceful: true, timeout: 10_000 });
        await send({
          type: 'done',
          replicaId: `pgboss-${process.pid}`,
          ids,
          times,
          peakRssMb: peakRssMb(),
          windowMs,
          cpuMs: (usage.user + usage.system) / 1000,
          eventLoopUtilization: loopUse.utilization,
        });
        process.exit(0);
      }
    })().catch(async (error: Error) => {
      await send({ type: 'error', message: error.stack ?? error.message });
      process.exit(1);
    });
  });
  process.on('disconnect', () => process.exit(1));
  await send({
    type: 'ready',
    bootMs: performance.now() - bootStarted,
    rssMb: process.memoryUsage().rss / 1024 / 1024,
  });
}

main(config).catch(async (error: Error) => {
  await send({ type: 'error', message: error.stack ?? error.message }).catch(
    () => undefined,
  );
  process.exit(1);
});

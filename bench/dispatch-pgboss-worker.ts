/**
 * One pg-boss worker process for bench/dispatch.bench.ts: fetches jobs in
 * batches and completes each batch with a no-op handler that notes when it
 * saw each job. Config: JSON in BENCH_PGBOSS_CONFIG. Messages as in
 * bench/dispatch-replica.ts ('go', 'stop').
 */
import { performance } from 'node:perf_hooks';
import { PgBoss } from 'pg-boss';
import {
  announceReady,
  childConfig,
  failChild,
  peakRssMb,
  sendToParent,
  type ParentMessage,
  type PgBossWorkerConfig,
} from './dispatch-shared';

const config = childConfig<PgBossWorkerConfig>(
  'BENCH_PGBOSS_CONFIG',
  'bench/dispatch-pgboss-worker.ts',
);

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
        await sendToParent({
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
    })().catch(failChild);
  });
  process.on('disconnect', () => process.exit(1));
  await announceReady(bootStarted);
}

main(config).catch(failChild);

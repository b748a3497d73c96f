/** A pg-boss worker process: a no-op handler that notes when it saw each job. */
import { PgBoss } from 'pg-boss';
import {
  childConfig,
  failChild,
  nowMs,
  serve,
  toParent,
} from '../harness/child';
import { PEER_QUEUE, PGBOSS_SETTINGS, type PeerConfig } from './peer-settings';

async function main(config: PeerConfig): Promise<void> {
  const ids: string[] = [];
  const times: number[] = [];
  const boss = new PgBoss({ connectionString: config.url });
  boss.on('error', (error) => console.error('pg-boss worker:', error));
  await boss.start();
  await boss.work(PEER_QUEUE, { ...PGBOSS_SETTINGS }, (jobs) => {
    const at = nowMs();
    for (const job of jobs) {
      ids.push(job.id);
      times.push(at);
      if (config.reportEachJob) void toParent({ type: 'dial', id: job.id, at });
    }
    return Promise.resolve();
  });
  serve(async (message) => {
    if (message.type !== 'stop') return;
    await boss.stop({ graceful: true, timeout: 10_000 });
    return { type: 'stop', ids, times };
  });
  await toParent({ type: 'ready' });
}

main(childConfig<PeerConfig>()).catch(failChild);

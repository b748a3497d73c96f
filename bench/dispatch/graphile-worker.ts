/** A graphile-worker process: a no-op task that notes when it saw each job. */
import { Logger, run } from 'graphile-worker';
import {
  childConfig,
  failChild,
  nowMs,
  serve,
  toParent,
} from '../harness/child';
import {
  GRAPHILE_SETTINGS,
  PEER_QUEUE,
  type PeerConfig,
} from './peer-settings';

async function main(config: PeerConfig): Promise<void> {
  const ids: string[] = [];
  const times: number[] = [];
  const runner = await run({
    preset: {
      worker: { connectionString: config.url, ...GRAPHILE_SETTINGS },
    },
    logger: quietLogger(),
    taskList: {
      [PEER_QUEUE]: (_payload, helpers) => {
        const at = nowMs();
        ids.push(helpers.job.id);
        times.push(at);
        if (config.reportEachJob) {
          void toParent({ type: 'dial', id: helpers.job.id, at });
        }
        return Promise.resolve();
      },
    },
  });
  serve(async (message) => {
    if (message.type !== 'stop') return;
    await runner.stop();
    return { type: 'stop', ids, times };
  });
  await toParent({ type: 'ready' });
}

/** Errors only: its info lines would interleave with the report. */
const quietLogger = () =>
  new Logger(() => (level, message) => {
    if (level === 'error') console.error(`graphile-worker: ${message}`);
  });

main(childConfig<PeerConfig>()).catch(failChild);

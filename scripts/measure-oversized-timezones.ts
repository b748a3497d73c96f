/**
 * Memory of the 400s for an oversized contact `timezone` (issue 7, item 6):
 * boots the real module as a host does (SQLite, `campaignBodyParser`, real
 * HTTP on 127.0.0.1) in a server process of its own
 * (bench/harness/campaign-app.ts), sends authenticated `POST /campaign`
 * requests whose one contact has a distinct `timezone` of many megabytes,
 * and prints the status codes and the server's RSS before, at the peak and
 * after (its own, apart from this client's).
 *
 *   node -r ./scripts/swc-register.cjs scripts/measure-oversized-timezones.ts [requests=300] [megabytes=15]
 *
 * "Before" and "after" are read after a full collection in the server, so
 * they show what is retained rather than garbage.
 */
import type { CampaignAppConfig } from '../bench/harness/campaign-app';
import { Child } from '../bench/harness/child';
import { createSqliteDatabase } from '../bench/harness/database';
import { post } from '../bench/harness/http';
import { peakRssMb, resetPeakRss } from '../bench/harness/rss';

const MB = 1024 * 1024;
const REQUESTS = Number(process.argv[2] ?? 300);
const MEGABYTES = Number(process.argv[3] ?? 15);

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

/** One body: a valid campaign whose contact's `timezone` is `megabytes` long, distinct per `i`. */
function payload(playbookId: string, i: number): Buffer {
  const prefix = `Europe/${i}/`;
  const timezone = prefix.padEnd(MEGABYTES * MB, 'x');
  return Buffer.from(
    JSON.stringify({
      playbook_id: playbookId,
      contacts: [{ phone: '+34612345678', timezone }],
    }),
  );
}

interface Memory {
  rss: number;
  heapUsed: number;
}

async function main(): Promise<void> {
  if (!Number.isInteger(REQUESTS) || REQUESTS < 1 || !(MEGABYTES > 0)) {
    throw new Error(
      'usage: measure-oversized-timezones.ts [requests] [megabytes]',
    );
  }
  const database = createSqliteDatabase();
  const config: CampaignAppConfig = {
    database: database.options,
    migrate: true,
    http: true,
    options: { scheduler: { enabled: false } },
    dialer: null,
  };
  const server = new Child('harness/campaign-app.ts', config, ['--expose-gc']);
  try {
    const { port } = await server.wait<{ port: number }>('ready');
    const { token, playbookId } = await server.ask<{
      token: string;
      playbookId: string;
    }>({ type: 'account' });
    // One ordinary request first, so that "before" includes a warm app.
    const warm = await post(
      port,
      '/campaign',
      token,
      Buffer.from(
        JSON.stringify({
          playbook_id: playbookId,
          contacts: [{ phone: '+34612345679', timezone: 'Europe/Madrid' }],
        }),
      ),
    );
    const before = await server.ask<Memory>({ type: 'memory' });
    resetPeakRss(server.pid);
    const statuses = new Map<number, number>();
    let firstBody = '';
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      const res = await post(port, '/campaign', token, payload(playbookId, i));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (i === 0) firstBody = res.body;
      if ((i + 1) % 50 === 0) {
        console.error(
          `  after ${i + 1} requests: server peak RSS ${peakRssMb(server.pid).toFixed(0)} MB`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = peakRssMb(server.pid) * MB;
    const after = await server.ask<Memory>({ type: 'memory' });

    console.log(
      [
        `node ${process.version}`,
        `warm-up request (valid timezone): ${warm.status}`,
        `${REQUESTS} × POST /campaign with a distinct ${MEGABYTES} MB timezone in ${seconds.toFixed(1)} s`,
        `status codes: ${[...statuses].map(([s, n]) => `${s} × ${n}`).join(', ')}`,
        `first response: ${firstBody.slice(0, 300)}`,
        `server RSS before: ${mb(before.rss)} (heap ${mb(before.heapUsed)})`,
        `server RSS peak:   ${mb(peak)}`,
        `server RSS after:  ${mb(after.rss)} (heap ${mb(after.heapUsed)})`,
        `retained:          ${mb(after.rss - before.rss)} RSS, ${mb(after.heapUsed - before.heapUsed)} heap`,
      ].join('\n'),
    );
    await server.stop();
  } finally {
    await server.kill();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

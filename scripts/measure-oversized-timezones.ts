/**
 * Memory of the 400s for an oversized contact `timezone` (issue 7, item 6):
 * boots the real module as a host does (SQLite, `campaignBodyParser`, real
 * HTTP on 127.0.0.1), sends authenticated `POST /campaign` requests whose one
 * contact has a distinct `timezone` of many megabytes, and prints the status
 * codes and the process RSS before, at the peak and after.
 *
 *   node --expose-gc -r ./scripts/swc-register.cjs scripts/measure-oversized-timezones.ts [requests=300] [megabytes=15]
 *
 * `--expose-gc` is optional: with it "before" and "after" are read after a
 * full collection, so they show what is retained rather than garbage.
 */
import { collectGarbage, post, RssSampler, startApp } from '../bench/support';
import { createTestDatabase } from '../test/utils/test-database';

const MB = 1024 * 1024;
const REQUESTS = Number(process.argv[2] ?? 300);
const MEGABYTES = Number(process.argv[3] ?? 15);

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

function memory(): { rss: number; heapUsed: number } {
  collectGarbage();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

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

async function main(): Promise<void> {
  if (!Number.isInteger(REQUESTS) || REQUESTS < 1 || !(MEGABYTES > 0)) {
    throw new Error(
      'usage: measure-oversized-timezones.ts [requests] [megabytes]',
    );
  }
  const database = await createTestDatabase('sqlite');
  const bench = await startApp(database);
  try {
    const { token, playbookId } = await bench.account('oversized-timezone');
    // One ordinary request first, so that "before" includes a warm app.
    const warm = await post(
      bench.port,
      '/campaign',
      token,
      Buffer.from(
        JSON.stringify({
          playbook_id: playbookId,
          contacts: [{ phone: '+34612345679', timezone: 'Europe/Madrid' }],
        }),
      ),
    );
    const before = memory();
    const sampler = new RssSampler();
    sampler.start();
    const statuses = new Map<number, number>();
    let firstBody = '';
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      const res = await post(
        bench.port,
        '/campaign',
        token,
        payload(playbookId, i),
      );
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (i === 0) firstBody = res.body;
      if ((i + 1) % 50 === 0) {
        const { rss, heapUsed } = process.memoryUsage();
        console.error(
          `  after ${i + 1} requests: RSS ${mb(rss)}, heap ${mb(heapUsed)}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = sampler.stop();
    const after = memory();

    console.log(
      [
        `node ${process.version}, gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'exposed' : 'not exposed'}`,
        `warm-up request (valid timezone): ${warm.status}`,
        `${REQUESTS} × POST /campaign with a distinct ${MEGABYTES} MB timezone in ${seconds.toFixed(1)} s`,
        `status codes: ${[...statuses].map(([s, n]) => `${s} × ${n}`).join(', ')}`,
        `first response: ${firstBody.slice(0, 300)}`,
        `RSS before: ${mb(before.rss)} (heap ${mb(before.heapUsed)})`,
        `RSS peak:   ${mb(peak)}`,
        `RSS after:  ${mb(after.rss)} (heap ${mb(after.heapUsed)})`,
        `retained:   ${mb(after.rss - before.rss)} RSS, ${mb(after.heapUsed - before.heapUsed)} heap`,
      ].join('\n'),
    );
  } finally {
    await bench.app.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

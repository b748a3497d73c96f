/**
 * Ingest benchmark of `POST /campaign`: the real app over HTTP (a server
 * process of its own), as JSON and as CSV, against the floor (`COPY` of the
 * same rows), at each size, interleaved and repeated.
 *
 *   npm run bench:ingest              (BENCH_SMOKE=1: 200 contacts, 1 rep)
 *
 * Time: from sending the request to the end of the 202. µs per contact =
 * median time / contacts. Server RSS: the server process's peak during the
 * request (kernel high-water mark, reset before it), apart from this
 * client's, which holds the request body. A size or format the server
 * refuses (4xx, e.g. 413 or 415) is printed "not supported (status …)".
 *
 * Environment: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else the local
 * server), BENCH_SIZES (1000,10000,100000; add 1000000 to measure it),
 * BENCH_REPS (3). Public API of lib/ only (harness/campaign-app.ts); the
 * floor alone writes the module's tables directly.
 *
 * A report, not a test: exit 1 only when a run crashed.
 */
import { createPostgresDatabase } from './harness/database';
import { REPS, SMOKE, listEnv, log, runBench } from './harness/env';
import { interleaved, type Outcome } from './harness/interleave';
import { fmt, median, minMedian, table } from './harness/stats';
import { SizeRuns, type IngestResult } from './ingest/size-runs';

const SIZES = (
  SMOKE && !process.env.BENCH_SIZES
    ? [200]
    : listEnv('BENCH_SIZES', ['1000', '10000', '100000']).map(Number)
).filter((n) => Number.isInteger(n) && n > 0);

interface SizeOutcome {
  n: number;
  outcomes: Outcome<IngestResult>[];
}

async function benchSize(n: number): Promise<SizeOutcome> {
  log(`${fmt(n)} contacts`);
  const db = await createPostgresDatabase();
  const runs = await SizeRuns.start(db, Math.max(n, 1_000));
  try {
    await runs.warmUp(Math.min(n, 1_000));
    return { n, outcomes: await interleaved(runs.systems(n), REPS) };
  } finally {
    await runs.close();
    await db.drop();
  }
}

function rows(sizes: SizeOutcome[]): string[][] {
  const out: string[][] = [];
  for (const { n, outcomes } of sizes) {
    const floor = median(
      outcomes
        .find((o) => o.name.startsWith('floor'))
        ?.results.map((r) => r.ms) ?? [],
    );
    for (const o of outcomes) {
      const done = o.results.filter((r) => !r.unsupported);
      const refused = o.results.find((r) => r.unsupported)?.unsupported;
      const ms = done.map((r) => r.ms);
      const server = done.map((r) => r.serverPeakMb).filter(Number.isFinite);
      const note = [refused, ...o.failures].filter(Boolean).join('; ');
      if (!done.length) {
        out.push([fmt(n), o.name, note || 'n/a', '', '', '', '', '']);
        continue;
      }
      out.push([
        fmt(n),
        o.name,
        minMedian(ms),
        fmt((median(ms) * 1000) / n, 1),
        o.name.startsWith('floor')
          ? '1.0×'
          : `${(median(ms) / floor).toFixed(2)}×`,
        server.length ? fmt(Math.max(...server)) : '– (PostgreSQL)',
        fmt(Math.max(...done.map((r) => r.clientPeakMb))),
        note,
      ]);
    }
  }
  return out;
}

async function main(): Promise<number> {
  const started = performance.now();
  const sizes: SizeOutcome[] = [];
  for (const n of SIZES) sizes.push(await benchSize(n));
  const out = [
    '## Ingest benchmark: POST /campaign',
    '',
    `${REPS} interleaved reps a system and size (the order rotates every rep); Node ${process.version}; one server process and one fresh database a size, one warm-up request first; fresh phones and a fresh account every run (inserts).`,
    '',
    table(
      [
        'contacts',
        'system',
        'ms min / median',
        'µs / contact (median)',
        '× floor (median)',
        'server peak RSS MB (max)',
        'client peak RSS MB (max)',
        'notes',
      ],
      rows(sizes),
    ),
    '',
    `Bench time: ${fmt((performance.now() - started) / 1000, 1)} s.`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const failed = sizes.some((s) => s.outcomes.some((o) => o.failures.length));
  return failed ? 1 : 0;
}

runBench(main);

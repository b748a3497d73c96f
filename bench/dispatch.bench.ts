/**
 * Dispatch benchmark: how fast due calls leave the database.
 *
 *   npm run bench:dispatch            (BENCH_SMOKE=1: tiny sizes, 1 rep)
 *
 * Throughput: N jobs due at one instant, a no-op handler, done when the
 * database holds no open job; jobs/s = N / (last done − due). The module
 * (1 and 3 replicas), pg-boss and graphile-worker (1 and 3 worker processes,
 * configured for throughput as their docs say: dispatch/peer-settings.ts)
 * and the floor (dispatch/systems.ts), interleaved and repeated. Pickup
 * latency: `POST /campaign` answered 202 → the dialer gets the call, against
 * graphile-worker's `addJob` resolved → task started. Slow dials: 200 ms
 * dials of one account's campaign, 1 vs 3 replicas, with the default
 * `maxInFlight` a replica, with it raised, and with every default (the
 * per-account cap and the calls per second too); each worker's share of
 * the dials is in the notes.
 *
 * Public API of lib/ only (through harness/campaign-app.ts). The floor alone
 * writes to the module's `campaign_calls` table directly, as the floor must.
 *
 * Environment: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else the local
 * server), BENCH_REPS (3), BENCH_DISPATCH_N (20 000), BENCH_DISPATCH_SLOW_N
 * (3 000), BENCH_LATENCY_N (50 samples a system), BENCH_MODULE_BATCH and
 * BENCH_MODULE_TICK_MS (the module's defaults), BENCH_DISPATCH_MODES
 * (throughput,latency,slow), BENCH_CALLING_RULES=off (the built-in rules,
 * on by default, keep the Spanish numbers waiting outside their hours).
 *
 * A report, not a test: exit 1 only when a run crashed.
 */
import { CAMPAIGN_OPTION_DEFAULTS, type CampaignModuleOptions } from '../lib';
import { REPS, SMOKE, intEnv, listEnv, log, runBench } from './harness/env';
import { interleaved, type Outcome } from './harness/interleave';
import {
  fmt,
  maxMedian,
  median,
  minMedian,
  percentile,
  table,
} from './harness/stats';
import { GRAPHILE_SETTINGS, PGBOSS_SETTINGS } from './dispatch/peer-settings';
import {
  graphileLatency,
  moduleLatency,
  throughputRun,
  type ThroughputResult,
} from './dispatch/runs';
import type { Kind } from './dispatch/systems';

const N = intEnv('BENCH_DISPATCH_N', 20_000, 200);
const SLOW_N = intEnv('BENCH_DISPATCH_SLOW_N', 3_000, 60);
const LATENCY_N = intEnv('BENCH_LATENCY_N', 50, 4);
const MODES = new Set(
  listEnv('BENCH_DISPATCH_MODES', ['throughput', 'latency', 'slow']),
);
const DEFAULTS = CAMPAIGN_OPTION_DEFAULTS.scheduler;
const BATCH = intEnv('BENCH_MODULE_BATCH', DEFAULTS.batchSize);
const TICK_MS = intEnv('BENCH_MODULE_TICK_MS', DEFAULTS.tickIntervalMs);
const RULES = process.env.BENCH_CALLING_RULES !== 'off' && !SMOKE;
const SLOW_DIAL_MS = 200;

/** Whether Spain's built-in rules let the bench's numbers be called now (Monday–Friday 09:00–21:00). */
function inSpanishCallingHours(): boolean {
  return ['Europe/Madrid', 'Atlantic/Canary'].every((timeZone) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: 'numeric',
      hourCycle: 'h23',
    }).formatToParts(new Date());
    const part = (type: string) => parts.find((p) => p.type === type)?.value;
    const hour = Number(part('hour'));
    return (
      !['Sat', 'Sun'].includes(part('weekday') ?? '') && hour >= 9 && hour < 21
    );
  });
}

/**
 * Which scheduler limits a run keeps at the module's defaults: 'none'
 * (all raised but the batch and tick), 'in-flight' (`maxInFlight` a
 * replica) or 'all' (also `maxInFlightPerAccount` and `callsPerSecond`).
 */
type Defaults = 'none' | 'in-flight' | 'all';

/** Every hour, every day: the bench measures the loop, not the calendar. */
function moduleOptions(
  defaults: Defaults,
): Omit<CampaignModuleOptions, 'dialer'> {
  return {
    callingWindow: {
      start: '00:00',
      end: '24:00',
      days: [1, 2, 3, 4, 5, 6, 7],
    },
    callingRules: { builtIn: RULES },
    scheduler: {
      batchSize: BATCH,
      tickIntervalMs: TICK_MS,
      ...(defaults === 'none' ? { maxInFlight: 10_000 } : {}),
      ...(defaults === 'all'
        ? {}
        : { maxInFlightPerAccount: 1_000_000, callsPerSecond: 1_000_000 }),
    },
  };
}

/** The slow-dial runs: one account's campaign, 1 replica against 3, under each set of limits. */
const SLOW_VARIANTS: { label: string; defaults: Defaults; n: number }[] = [
  {
    label: `maxInFlight ${DEFAULTS.maxInFlight} a replica (default)`,
    defaults: 'in-flight',
    n: SLOW_N,
  },
  { label: 'maxInFlight 10 000', defaults: 'none', n: SLOW_N },
  {
    label: `every default (maxInFlightPerAccount ${DEFAULTS.maxInFlightPerAccount}, callsPerSecond ${DEFAULTS.callsPerSecond} a replica)`,
    defaults: 'all',
    n: Math.max(60, Math.round(SLOW_N / 5)),
  },
];

interface Row {
  name: string;
  kind: Kind;
  workers: number;
}

const ALL_ROWS: Row[] = [
  { name: 'module ×1', kind: 'module', workers: 1 },
  { name: 'module ×3', kind: 'module', workers: 3 },
  { name: 'pg-boss ×1', kind: 'pg-boss', workers: 1 },
  { name: 'pg-boss ×3', kind: 'pg-boss', workers: 3 },
  { name: 'graphile-worker ×1', kind: 'graphile-worker', workers: 1 },
  { name: 'graphile-worker ×3', kind: 'graphile-worker', workers: 3 },
  { name: 'floor ×1', kind: 'floor', workers: 1 },
];
/** Smoke: every system once; three replicas run in the slow-dial mode. */
const THROUGHPUT = SMOKE ? ALL_ROWS.filter((r) => r.workers === 1) : ALL_ROWS;

function throughputTable(outcomes: Outcome<ThroughputResult>[]): string {
  return table(
    [
      'system',
      'jobs/s best / median',
      'first job ms after due',
      'p50 lag ms min / median',
      'p99 lag ms min / median',
      'peak RSS MB a worker (max)',
      'xacts / 1 000 jobs',
      'rows written / job',
      'notes',
    ],
    outcomes.map((o) => {
      const r = o.results;
      const pick = (f: (x: ThroughputResult) => number) => r.map(f);
      const rss = pick((x) => x.peakRssMb).filter(Number.isFinite);
      return [
        o.name,
        maxMedian(pick((x) => x.jobsPerSecond)),
        minMedian(pick((x) => x.firstMs)),
        minMedian(pick((x) => x.p50LagMs)),
        minMedian(pick((x) => x.p99LagMs)),
        rss.length ? fmt(Math.max(...rss)) : '– (in this process)',
        fmt(median(pick((x) => x.xactsPer1000))),
        fmt(median(pick((x) => x.rowsPerJob)), 1),
        [...new Set([...r.flatMap((x) => x.notes), ...o.failures])].join('; '),
      ];
    }),
  );
}

/** Ratios of median throughputs, for the pairs that both ran. */
function ratios(
  outcomes: Outcome<ThroughputResult>[],
  pairs: [string, string][],
): string[] {
  const of = (name: string) =>
    median(
      outcomes
        .find((o) => o.name === name)
        ?.results.map((x) => x.jobsPerSecond) ?? [],
    );
  return pairs
    .filter(([a, b]) => [a, b].every((n) => outcomes.some((o) => o.name === n)))
    .map(([a, b]) => {
      const x = of(a) / of(b);
      return `- median ${a} / ${b}: ${Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a'}`;
    });
}

async function main(): Promise<number> {
  const started = performance.now();
  const out: string[] = ['## Dispatch benchmark', ''];
  const moduleLabel = `batchSize ${BATCH}, tickIntervalMs ${TICK_MS}${BATCH === DEFAULTS.batchSize && TICK_MS === DEFAULTS.tickIntervalMs ? ' (the defaults)' : ''}; calling window 00:00–24:00 every day; built-in calling rules ${RULES ? 'on' : 'off'}`;
  out.push(
    `${REPS} interleaved reps a system (the order rotates every rep); Node ${process.version}. ` +
      `Module: ${moduleLabel}. pg-boss: ${JSON.stringify(PGBOSS_SETTINGS)}. ` +
      `graphile-worker: ${JSON.stringify(GRAPHILE_SETTINGS)}.`,
    '',
  );
  if (RULES && !inSpanishCallingHours()) {
    const warning =
      '**Outside the Spanish calling hours: with the built-in rules on, the calls wait (runs time out). Run in Madrid working hours or with BENCH_CALLING_RULES=off.**';
    log(warning);
    out.push(warning, '');
  }
  let failed = false;
  const note = (o: Outcome<unknown>[]) => {
    if (o.some((x) => x.failures.length)) failed = true;
  };

  if (MODES.has('throughput')) {
    log(`throughput: ${N} jobs due at once`);
    const outcomes = await interleaved(
      THROUGHPUT.map((row) => ({
        name: row.name,
        run: () =>
          throughputRun(row.name, N, {
            kind: row.kind,
            workers: row.workers,
            moduleOptions: moduleOptions('none'),
            batch: BATCH,
          }),
      })),
      REPS,
    );
    note(outcomes);
    out.push(
      `### Throughput: ${fmt(N)} jobs due at once, no-op handler`,
      '',
      `Module limits raised out of the way (maxInFlight 10 000, maxInFlightPerAccount and callsPerSecond 1 000 000). The floor: one \`UPDATE … FOR UPDATE SKIP LOCKED … RETURNING\` of ${BATCH} rows at a time on campaign_calls from one connection. jobs/s = jobs / (last done − first handled); lag = handled − due. xacts and rows from pg_stat_database.`,
      '',
      throughputTable(outcomes),
      '',
      ...ratios(outcomes, [
        ['module ×1', 'graphile-worker ×1'],
        ['module ×3', 'graphile-worker ×3'],
        ['module ×1', 'pg-boss ×1'],
        ['module ×3', 'pg-boss ×3'],
        ['module ×1', 'floor ×1'],
      ]),
      '',
    );
  }

  if (MODES.has('latency')) {
    const perRep = Math.max(1, Math.ceil(LATENCY_N / REPS));
    log(`latency: ${perRep} samples a rep`);
    const outcomes = await interleaved(
      [
        {
          name: 'module: POST /campaign 202 → dial',
          run: () => moduleLatency(perRep, moduleOptions('none')),
        },
        {
          name: 'graphile-worker: addJob → task start',
          run: () => graphileLatency(perRep),
        },
      ],
      REPS,
    );
    note(outcomes);
    out.push(
      `### Pickup latency: one job at a time, ${perRep * REPS} samples a system`,
      '',
      table(
        ['system', 'samples', 'p50 ms', 'p99 ms', 'p50 of each rep ms'],
        outcomes.map((o) => {
          const all = o.results.flat();
          return [
            o.name,
            String(all.length),
            fmt(percentile(all, 50), 1),
            fmt(percentile(all, 99), 1),
            o.results.map((r) => fmt(percentile(r, 50), 1)).join(' / ') +
              (o.failures.length ? `; ${o.failures.join('; ')}` : ''),
          ];
        }),
      ),
      '',
    );
  }

  if (MODES.has('slow')) {
    log(`slow dials: ${SLOW_N} calls of ${SLOW_DIAL_MS} ms`);
    const name = (workers: number, label: string) =>
      `module ×${workers}, ${label}`;
    const outcomes = await interleaved(
      SLOW_VARIANTS.flatMap((v) =>
        // Smoke: three replicas only (the throughput part ran one).
        (SMOKE ? [3] : [1, 3]).map((workers) => ({
          name: name(workers, v.label),
          run: () =>
            throughputRun(`slow ×${workers} ${v.defaults}`, v.n, {
              kind: 'module',
              workers,
              moduleOptions: moduleOptions(v.defaults),
              dialDelayMs: SLOW_DIAL_MS,
            }),
        })),
      ),
      REPS,
    );
    note(outcomes);
    out.push(
      `### ${SLOW_DIAL_MS} ms dials: one account's campaign, 1 replica against 3`,
      '',
      `${fmt(SLOW_N)} calls (${fmt(SLOW_VARIANTS[2].n)} with every default: at ${DEFAULTS.callsPerSecond} calls/s a replica); the limits not named are raised out of the way.`,
      '',
      throughputTable(outcomes),
      '',
      ...ratios(
        outcomes,
        SLOW_VARIANTS.map((v) => [name(3, v.label), name(1, v.label)]),
      ),
      '',
    );
  }

  out.push(`Bench time: ${fmt((performance.now() - started) / 1000, 1)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
  return failed ? 1 : 0;
}

runBench(main);

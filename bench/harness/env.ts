/** Settings from the environment, logging and cleanup on exit or signal. */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** PostgreSQL server the bench databases are created on. */
export const PG_URL =
  process.env.BENCH_DATABASE_URL ||
  process.env.TEST_DATABASE_URL ||
  'postgres://postgres@127.0.0.1:5432/postgres';

/** A positive integer from `name`, else `full` (or `smoke` in smoke mode). */
export function intEnv(name: string, full: number, smoke = full): number {
  const n = Number(process.env[name]);
  if (Number.isInteger(n) && n > 0) return n;
  return SMOKE ? smoke : full;
}

export function listEnv(name: string, fallback: string[]): string[] {
  const value = process.env[name]?.trim();
  if (!value) return fallback;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Repetitions of every system, interleaved (BENCH_REPS; 1 in smoke mode). */
export const REPS = intEnv('BENCH_REPS', 3, 1);

/** Progress goes to stderr; the report alone goes to stdout. */
export const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const cleanups = new Set<() => Promise<void>>();

/** Registers `fn` to run at exit; the returned function runs it now (once). */
export function onCleanup(fn: () => Promise<void>): () => Promise<void> {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    cleanups.delete(once);
    await fn();
  };
  cleanups.add(once);
  return once;
}

async function cleanupAll(): Promise<void> {
  for (const fn of [...cleanups].reverse()) await fn().catch(() => undefined);
}

/** Runs a bench's main: exit code 1 only when something crashed. */
export function runBench(main: () => Promise<number>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  main()
    .catch((error: Error) => {
      log(error.stack ?? error.message);
      return 1;
    })
    .then(async (code) => {
      await cleanupAll();
      process.exit(code);
    });
}

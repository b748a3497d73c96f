import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Runs `work` on one dedicated connection while it holds a session lock:
 * `lock` takes it (waiting as long as it must), `unlock` gives it back. A
 * failing unlock is reported unless `work` failed (its error is kept; a lost
 * connection drops the lock anyway).
 */
export async function withSessionLock<T>(
  dataSource: DataSource,
  lock: {
    take(runner: QueryRunner): Promise<void>;
    give(runner: QueryRunner): Promise<unknown>;
  },
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await lock.take(runner);
    let failed = false;
    try {
      return await work(runner);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await lock.give(runner).catch((error: unknown) => {
        if (!failed) throw error;
      });
    }
  } finally {
    await runner.release();
  }
}

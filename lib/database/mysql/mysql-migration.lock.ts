import type { DataSource, QueryRunner } from 'typeorm';
import { lockNameSql } from './mysql-transaction';

const WAIT_SECONDS = 10;

/**
 * A named lock (GET_LOCK) around the migrations, on one dedicated connection
 * that also runs them: it is a session lock, not released by the implicit
 * commits of DDL, and goes with the connection if the replica dies.
 * https://mariadb.com/kb/en/get_lock/ and
 * https://dev.mysql.com/doc/refman/8.0/en/locking-functions.html
 */
export async function withMysqlMigrationLock<T>(
  dataSource: DataSource,
  key: bigint,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const name = `nestjs-call-campaigns:migrations:${key.toString()}`;
  try {
    // Waits in slices (GET_LOCK answers 0 on a timeout) rather than forever.
    for (;;) {
      const [row] = await runner.manager.query<
        { locked: number | string | null }[]
      >(`SELECT GET_LOCK(${lockNameSql}, ${WAIT_SECONDS}) AS locked`, [name]);
      if (Number(row?.locked) === 1) break;
      if (row?.locked == null) {
        throw new Error(
          'GET_LOCK failed while waiting for the migrations lock',
        );
      }
    }
    let failed = false;
    try {
      return await work(runner);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await runner
        .query(`SELECT RELEASE_LOCK(${lockNameSql})`, [name])
        .catch((error: unknown) => {
          // Keep the migration's own error; a lost connection drops the lock anyway.
          if (!failed) throw error;
        });
    }
  } finally {
    await runner.release();
  }
}

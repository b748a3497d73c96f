import type { DataSource, QueryRunner } from 'typeorm';
import { withSessionLock } from '../session-lock';
import { lockNameSql } from './mysql-transaction';

const WAIT_SECONDS = 10;

/**
 * A named lock (GET_LOCK) around the migrations, on one dedicated connection
 * that also runs them: it is a session lock, not released by the implicit
 * commits of DDL, and goes with the connection if the replica dies.
 * https://mariadb.com/kb/en/get_lock/ and
 * https://dev.mysql.com/doc/refman/8.0/en/locking-functions.html
 */
export function withMysqlMigrationLock<T>(
  dataSource: DataSource,
  key: bigint,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const name = `nestjs-call-campaigns:migrations:${key.toString()}`;
  return withSessionLock(
    dataSource,
    {
      // Waits in slices (GET_LOCK answers 0 on a timeout) rather than forever.
      take: async (runner) => {
        for (;;) {
          const [row] = await runner.manager.query<
            { locked: number | string | null }[]
          >(`SELECT GET_LOCK(${lockNameSql}, ${WAIT_SECONDS}) AS locked`, [
            name,
          ]);
          if (Number(row?.locked) === 1) return;
          if (row?.locked == null) {
            throw new Error(
              'GET_LOCK failed while waiting for the migrations lock',
            );
          }
        }
      },
      give: (runner) =>
        runner.query(`SELECT RELEASE_LOCK(${lockNameSql})`, [name]),
    },
    work,
  );
}

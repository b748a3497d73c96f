import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** Named locks (GET_LOCK) a transaction took, released when it ends. */
const heldLocks = new WeakMap<QueryRunner, string[]>();

/**
 * GET_LOCK names are server-wide: the database's name goes into the hash so
 * replicas of different databases on one server never wait for each other.
 * The SHA1 keeps the name within the 64 characters the server allows.
 * https://mariadb.com/kb/en/get_lock/
 */
export const lockNameSql = "SHA1(CONCAT(DATABASE(), '/', ?))";

/**
 * A transaction on its own QueryRunner, so that named locks it took (which
 * COMMIT does not release) are released on the same connection after it ends.
 */
export async function runMysqlTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    // READ COMMITTED, as PostgreSQL runs the module's transactions: under
    // InnoDB's default REPEATABLE READ a plain read after the first one sees
    // the transaction's old snapshot (a claim would take a call another
    // replica just ended for one still dialing), and searches take gap locks.
    // https://mariadb.com/kb/en/set-transaction/
    await runner.startTransaction('READ COMMITTED');
    let result: T;
    try {
      result = await work(runner.manager);
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) {
        await runner.rollbackTransaction().catch(() => undefined);
      }
      throw error;
    } finally {
      for (const name of heldLocks.get(runner) ?? []) {
        await runner
          .query(`SELECT RELEASE_LOCK(${lockNameSql})`, [name])
          .catch(() => undefined);
      }
      heldLocks.delete(runner);
    }
    return result;
  } finally {
    await runner.release();
  }
}

/** GET_LOCK(name, 0) for the rest of `manager`'s transaction (see runMysqlTransaction). */
export function tryMysqlTransactionLock(
  manager: EntityManager,
  name: string,
): Promise<boolean> {
  return getMysqlLock(manager, name, 0);
}

/** Seconds a claim waits for another's named lock before its transaction fails (and is retried at the next tick). */
const LOCK_WAIT_SECONDS = 30;

/** GET_LOCK(name, LOCK_WAIT_SECONDS) for the rest of `manager`'s transaction; throws when it timed out. */
export async function mysqlTransactionLock(
  manager: EntityManager,
  name: string,
): Promise<true> {
  if (!(await getMysqlLock(manager, name, LOCK_WAIT_SECONDS))) {
    throw new Error(`lock "${name}" not granted within ${LOCK_WAIT_SECONDS} s`);
  }
  return true;
}

async function getMysqlLock(
  manager: EntityManager,
  name: string,
  waitSeconds: number,
): Promise<boolean> {
  const runner = manager.queryRunner;
  if (!runner) {
    throw new Error('tryTransactionLock needs a transaction of runTransaction');
  }
  const [row] = await runner.manager.query<
    { locked: number | string | null }[]
  >(`SELECT GET_LOCK(${lockNameSql}, ?) AS locked`, [name, waitSeconds]);
  if (Number(row?.locked) !== 1) return false;
  heldLocks.set(runner, [...(heldLocks.get(runner) ?? []), name]);
  return true;
}

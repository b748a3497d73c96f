import type { DataSource, EntityManager } from 'typeorm';

const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Every write of the module goes through here. On SQLite TypeORM shares one
 * connection, so two concurrent transactions would nest as savepoints of each
 * other (one's rollback undoing the other's committed-looking work): there
 * they run one at a time. PostgreSQL runs them concurrently, each on its own
 * pooled connection.
 */
export function runTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (dataSource.options.type !== 'better-sqlite3') {
    return dataSource.transaction(work);
  }
  const previous = sqliteQueues.get(dataSource) ?? Promise.resolve();
  const run = previous.then(() => dataSource.transaction(work));
  sqliteQueues.set(
    dataSource,
    run.catch(() => undefined),
  );
  return run;
}

/**
 * A single statement, atomic on its own: no transaction of its own where
 * each caller has its own connection; on SQLite in the queue of
 * {@link runTransaction} (outside it, it would join whichever transaction
 * holds the one connection).
 */
export function runStatement<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (dataSource.options.type === 'better-sqlite3') {
    return runTransaction(dataSource, work);
  }
  return work(dataSource.manager);
}

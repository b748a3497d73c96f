import type { DataSource, EntityManager } from 'typeorm';
import { sqlDialectOf } from './sql-dialect-of';

/** Every write of the module goes through here: the database decides how transactions run. */
export function runTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return sqlDialectOf(dataSource).runTransaction(dataSource, work);
}

/** One statement, atomic on its own: the database decides whether it needs a transaction of its own. */
export function runStatement<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return sqlDialectOf(dataSource).runStatement(dataSource, work);
}

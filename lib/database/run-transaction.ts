import type { DataSource, EntityManager } from 'typeorm';
import { sqlDialectOf } from './sql-dialect-of';

/** Every write of the module goes through here: the database decides how transactions run. */
export function runTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return sqlDialectOf(dataSource).runTransaction(dataSource, work);
}

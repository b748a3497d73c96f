/*
 * TypeORM's raw `query()` answers an UPDATE/DELETE differently per driver:
 * PostgreSQL gives `[rows, affectedCount]`, better-sqlite3 the rows of a
 * RETURNING clause (without one, not even a count): so writes whose effect
 * matters say RETURNING.
 */

const isPostgresWrite = (result: unknown): result is [unknown[], number] =>
  Array.isArray(result) &&
  result.length === 2 &&
  Array.isArray(result[0]) &&
  typeof result[1] === 'number';

/** Rows of an UPDATE/DELETE … RETURNING. */
export function returnedRows<T>(result: unknown): T[] {
  if (isPostgresWrite(result)) return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}

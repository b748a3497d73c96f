import type { EntityManager } from 'typeorm';
import type { SqlDialect } from './sql-dialect';

export interface MultiRowInsert {
  table: string;
  columns: readonly string[];
  /** The statement's verb: `INSERT` unless given (e.g. the dialect's `insertIgnore.verb`). */
  verb?: string;
  /** Appended after VALUES: `ON CONFLICT …`, `RETURNING …`. */
  suffix?: string;
}

/** Rows per statement that fit both the chunk size and the parameter limit. */
function rowsPerStatement(
  dialect: SqlDialect,
  columnCount: number,
  chunkSize: number,
): number {
  return Math.max(
    1,
    Math.min(chunkSize, Math.floor(dialect.maxParameters / columnCount)),
  );
}

/**
 * Writes rows with as few multi-row INSERT statements as the parameter limit
 * allows, and returns what the statements RETURN, in order.
 */
export async function insertRows<R = unknown>(
  manager: EntityManager,
  dialect: SqlDialect,
  insert: MultiRowInsert,
  rows: readonly unknown[][],
  chunkSize: number,
): Promise<R[]> {
  const width = insert.columns.length;
  const perStatement = rowsPerStatement(dialect, width, chunkSize);
  const head = `${insert.verb ?? 'INSERT'} INTO ${insert.table} (${insert.columns.join(', ')}) VALUES `;
  const returned: R[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = row.map((value) => {
        params.push(value);
        return dialect.placeholder(params.length);
      });
      return `(${marks.join(', ')})`;
    });
    const sql = `${head}${tuples.join(', ')}${insert.suffix ? ` ${insert.suffix}` : ''}`;
    const result: unknown = await manager.query(sql, params);
    if (Array.isArray(result)) returned.push(...(result as R[]));
  }
  return returned;
}

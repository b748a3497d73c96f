import type { EntityManager } from 'typeorm';
import { insertRows } from './multi-row-insert';
import { returnedRows } from './query-result';
import type {
  DeleteStatement,
  SqlDialect,
  UpdateStatement,
  UpsertStatement,
} from './sql-dialect';
import { SqlParams } from './sql-params';

/*
 * Statements for databases with `UPDATE … FROM`, `RETURNING` and
 * `ON CONFLICT` (PostgreSQL, SQLite 3.35+).
 */

export async function updateReturning(
  dialect: SqlDialect,
  manager: EntityManager,
  statement: UpdateStatement,
): Promise<Record<string, unknown>[]> {
  const p = new SqlParams(dialect);
  const { table, values, returning } = statement;
  const head = values
    ? `WITH v (${values.columns.join(', ')}) AS (VALUES ${p.rows(values.rows, values.types)}) `
    : '';
  const set = statement.set(p);
  const where = statement.where(p);
  const sql = `${head}UPDATE ${table} SET ${set}${values ? ' FROM v' : ''} WHERE ${where}${
    returning?.length
      ? ` RETURNING ${returning.map((c) => `${table}.${c}`).join(', ')}`
      : ''
  }`;
  return returnedRows<Record<string, unknown>>(
    await manager.query(sql, p.values),
  );
}

export async function deleteReturningIds(
  dialect: SqlDialect,
  manager: EntityManager,
  statement: DeleteStatement,
): Promise<string[]> {
  const p = new SqlParams(dialect);
  const sql = `DELETE FROM ${statement.table} WHERE ${statement.where(p)} RETURNING id`;
  return returnedRows<{ id: string }>(await manager.query(sql, p.values)).map(
    (r) => r.id,
  );
}

export async function deleteCount(
  dialect: SqlDialect,
  manager: EntityManager,
  statement: DeleteStatement,
): Promise<number> {
  const p = new SqlParams(dialect);
  const sql = `DELETE FROM ${statement.table} WHERE ${statement.where(p)} RETURNING 1 AS deleted`;
  return returnedRows(await manager.query(sql, p.values)).length;
}

/** `ON CONFLICT (key) DO UPDATE SET … RETURNING …`. */
export function onConflictSuffix(
  dialect: SqlDialect,
  mergeJson: (stored: string, given: string) => string,
  statement: Pick<
    UpsertStatement,
    'key' | 'onConflict' | 'touch' | 'returning' | 'table'
  >,
): string {
  const { table } = statement;
  const sets = Object.entries(statement.onConflict).map(([column, policy]) => {
    const given = `excluded.${column}`;
    const stored = `${table}.${column}`;
    switch (policy) {
      case 'overwrite':
        return `${column} = ${given}`;
      case 'keep-when-null':
        return `${column} = COALESCE(${given}, ${stored})`;
      case 'merge-json':
        return `${column} = ${mergeJson(stored, given)}`;
      case 'add':
        return `${column} = ${stored} + ${given}`;
    }
  });
  if (statement.touch) sets.push(`${statement.touch} = ${dialect.now}`);
  return `ON CONFLICT (${statement.key.join(', ')}) DO UPDATE SET ${sets.join(', ')} RETURNING ${statement.returning.join(', ')}`;
}

export function upsertReturning(
  dialect: SqlDialect,
  mergeJson: (stored: string, given: string) => string,
  manager: EntityManager,
  statement: UpsertStatement,
): Promise<Record<string, unknown>[]> {
  return insertRows<Record<string, unknown>>(
    manager,
    dialect,
    {
      table: statement.table,
      columns: statement.columns,
      suffix: onConflictSuffix(dialect, mergeJson, statement),
    },
    statement.rows,
    statement.chunkSize,
  );
}

export async function insertIgnoring(
  dialect: SqlDialect,
  manager: EntityManager,
  insert: { table: string; columns: readonly string[] },
  rows: readonly unknown[][],
  chunkSize: number,
): Promise<number> {
  const written = await insertRows(
    manager,
    dialect,
    { ...insert, suffix: 'ON CONFLICT DO NOTHING RETURNING 1 AS inserted' },
    rows,
    chunkSize,
  );
  return written.length;
}

type ReturningMembers = Pick<
  SqlDialect,
  | 'update'
  | 'deleteReturningIds'
  | 'deleteCount'
  | 'upsert'
  | 'upsertSuffix'
  | 'insertIgnoring'
>;

/**
 * The statement members of a dialect of this kind, for its object literal
 * (`dialect` is a getter: the members refer to the object they are part of).
 */
export function returningMembers(
  dialect: () => SqlDialect,
  mergeJson: (stored: string, given: string) => string,
): ReturningMembers {
  return {
    update: async <R>(
      manager: EntityManager,
      statement: UpdateStatement,
    ): Promise<R[]> =>
      (await updateReturning(dialect(), manager, statement)) as R[],
    deleteReturningIds: (manager, statement) =>
      deleteReturningIds(dialect(), manager, statement),
    deleteCount: (manager, statement) =>
      deleteCount(dialect(), manager, statement),
    upsert: (manager, statement) =>
      upsertReturning(dialect(), mergeJson, manager, statement),
    upsertSuffix: (statement) =>
      onConflictSuffix(dialect(), mergeJson, statement),
    insertIgnoring: (manager, insert, rows, chunkSize) =>
      insertIgnoring(dialect(), manager, insert, rows, chunkSize),
  };
}

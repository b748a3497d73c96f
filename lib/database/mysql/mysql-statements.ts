import type { EntityManager } from 'typeorm';
import type {
  DeleteStatement,
  SqlDialect,
  UpdateStatement,
  UpsertStatement,
  ValuesTable,
} from '../sql-dialect';
import { SqlParams } from '../sql-params';

/*
 * MariaDB has RETURNING on INSERT and DELETE only, MySQL 8 on none, and
 * neither has `UPDATE … FROM` nor ON CONFLICT: writes whose rows matter lock
 * them first (SELECT … FOR UPDATE, same transaction), change them by id and
 * read them back. https://mariadb.com/kb/en/update/ and
 * https://dev.mysql.com/doc/refman/8.0/en/update.html (multiple-table syntax).
 */

/** Raw result of a write: mysql2's ResultSetHeader. */
export const affectedRows = (result: unknown): number =>
  Number((result as { affectedRows?: number } | null)?.affectedRows ?? 0);

/** `(SELECT ? AS a, ? AS b UNION ALL SELECT ?, ? …)`: a VALUES list both MySQL 8 and MariaDB take. */
function derivedValues(p: SqlParams, values: ValuesTable): string {
  const rows = values.rows.map(
    (row, r) =>
      `SELECT ${row
        .map((value, i) =>
          r === 0 ? `${p.add(value)} AS ${values.columns[i]}` : p.add(value),
        )
        .join(', ')}`,
  );
  return `(${rows.join(' UNION ALL ')})`;
}

/** The UPDATE in text order (placeholders are positional): MySQL's multiple-table form puts SET after the join. */
function updateSql(
  p: SqlParams,
  statement: UpdateStatement,
  only?: (p: SqlParams) => string,
): string {
  const { table, values } = statement;
  if (values) {
    const joined = derivedValues(p, values);
    const on = statement.where(p);
    const set = statement.set(p);
    const extra = only?.(p);
    return `UPDATE ${table} JOIN ${joined} v ON ${on} SET ${set}${extra ? ` WHERE ${extra}` : ''}`;
  }
  const set = statement.set(p);
  const where = statement.where(p);
  const extra = only?.(p);
  return `UPDATE ${table} SET ${set} WHERE ${where}${extra ? ` AND ${extra}` : ''}`;
}

function lockSql(
  p: SqlParams,
  statement: UpdateStatement,
  key: readonly string[],
): string {
  const { table, values } = statement;
  const columns = key.map((k) => `${table}.${k}`).join(', ');
  if (values) {
    const joined = derivedValues(p, values);
    return `SELECT ${columns} FROM ${table} JOIN ${joined} v ON ${statement.where(p)} FOR UPDATE`;
  }
  return `SELECT ${columns} FROM ${table} WHERE ${statement.where(p)} FOR UPDATE`;
}

/**
 * Rows by their key: `k IN (…)`, or `(a = ? AND b IN (…)) OR …` for a
 * two-part key. MariaDB does not use an index for `(a, b) IN ((?, ?), …)`:
 * a locking read would scan, lock every row and deadlock with its neighbours.
 */
export function keyMatch(
  p: SqlParams,
  columns: readonly string[],
  keys: readonly (readonly unknown[])[],
): string {
  if (columns.length === 1) {
    return `${columns[0]} IN ${p.list(keys.map((k) => k[0]))}`;
  }
  const groups = new Map<string, { head: unknown[]; tails: unknown[] }>();
  for (const key of keys) {
    const head = key.slice(0, -1);
    const id = JSON.stringify(head);
    const group = groups.get(id) ?? { head, tails: [] };
    group.tails.push(key[key.length - 1]);
    groups.set(id, group);
  }
  const last = columns[columns.length - 1];
  return [...groups.values()]
    .map(
      ({ head, tails }) =>
        `(${head.map((v, i) => `${columns[i]} = ${p.add(v)}`).join(' AND ')} AND ${last} IN ${p.list(tails)})`,
    )
    .join(' OR ');
}

function keyIn(
  p: SqlParams,
  table: string,
  key: readonly string[],
  rows: readonly Record<string, unknown>[],
): string {
  return `(${keyMatch(
    p,
    key.map((k) => `${table}.${k}`),
    rows.map((row) => key.map((k) => row[k])),
  )})`;
}

export async function mysqlUpdate(
  dialect: SqlDialect,
  manager: EntityManager,
  statement: UpdateStatement,
): Promise<Record<string, unknown>[]> {
  const { table, returning } = statement;
  if (!returning?.length) {
    const p = new SqlParams(dialect);
    await manager.query(updateSql(p, statement), p.values);
    return [];
  }
  const key = statement.key ?? ['id'];
  const s = new SqlParams(dialect);
  const found = await manager.query<Record<string, unknown>[]>(
    lockSql(s, statement, key),
    s.values,
  );
  if (found.length === 0) return [];
  // A row joined to several VALUES rows is one row.
  const locked = [
    ...new Map(
      found.map((row) => [JSON.stringify(key.map((k) => row[k])), row]),
    ).values(),
  ];
  const u = new SqlParams(dialect);
  await manager.query(
    updateSql(u, statement, (q) => keyIn(q, table, key, locked)),
    u.values,
  );
  const r = new SqlParams(dialect);
  return manager.query<Record<string, unknown>[]>(
    `SELECT ${returning.join(', ')} FROM ${table} WHERE ${keyIn(r, table, key, locked)}`,
    r.values,
  );
}

export async function mysqlDeleteReturningIds(
  dialect: SqlDialect,
  manager: EntityManager,
  statement: DeleteStatement,
): Promise<string[]> {
  const s = new SqlParams(dialect);
  const locked = await manager.query<{ id: string }[]>(
    `SELECT id FROM ${statement.table} WHERE ${statement.where(s)} FOR UPDATE`,
    s.values,
  );
  if (locked.length === 0) return [];
  const ids = locked.map((r) => r.id);
  const d = new SqlParams(dialect);
  await manager.query(
    `DELETE FROM ${statement.table} WHERE id IN ${d.list(ids)}`,
    d.values,
  );
  return ids;
}

export async function mysqlDeleteCount(
  dialect: SqlDialect,
  manager: EntityManager,
  statement: DeleteStatement,
): Promise<number> {
  const p = new SqlParams(dialect);
  return affectedRows(
    await manager.query(
      `DELETE FROM ${statement.table} WHERE ${statement.where(p)}`,
      p.values,
    ),
  );
}

export async function mysqlInsertIgnoring(
  dialect: SqlDialect,
  manager: EntityManager,
  insert: { table: string; columns: readonly string[] },
  rows: readonly unknown[][],
  chunkSize: number,
): Promise<number> {
  let written = 0;
  await eachChunk(
    dialect,
    insert.columns.length,
    rows,
    chunkSize,
    async (chunk) => {
      const p = new SqlParams(dialect);
      // IGNORE skips duplicate keys (the rows are validated before, so no other error is hidden).
      const result: unknown = await manager.query(
        `INSERT IGNORE INTO ${insert.table} (${insert.columns.join(', ')}) VALUES ${p.rows(chunk, [])}`,
        p.values,
      );
      written += affectedRows(result);
    },
  );
  return written;
}

async function eachChunk(
  dialect: SqlDialect,
  width: number,
  rows: readonly unknown[][],
  chunkSize: number,
  work: (chunk: readonly unknown[][]) => Promise<void>,
): Promise<void> {
  const size = Math.max(
    1,
    Math.min(chunkSize, Math.floor(dialect.maxParameters / width)),
  );
  for (let start = 0; start < rows.length; start += size) {
    await work(rows.slice(start, start + size));
  }
}

type Row = Record<string, unknown>;

/**
 * INSERT … ON DUPLICATE KEY UPDATE (VALUES(col) names the new value: MySQL
 * 8.0.20 deprecates it for a row alias that MariaDB lacks, but both run it;
 * https://mariadb.com/kb/en/insert-on-duplicate-key-update/). A shallow JSON
 * merge that keeps null values has no SQL here (JSON_MERGE_PATCH removes a
 * key whose new value is null: https://mariadb.com/kb/en/json_merge_patch/,
 * and VALUES() cannot reach into a JSON_TABLE subquery), so `merge-json`
 * columns are merged in the process, on rows the upsert has just locked.
 */
export async function mysqlUpsert(
  dialect: SqlDialect,
  manager: EntityManager,
  statement: UpsertStatement,
): Promise<Row[]> {
  const { table, columns, key } = statement;
  const policies = Object.entries(statement.onConflict);
  const jsonColumns = policies
    .filter(([, policy]) => policy === 'merge-json')
    .map(([column]) => column);
  const sets = policies
    .filter(([, policy]) => policy !== 'merge-json')
    .map(([column, policy]) => {
      const given = `VALUES(${column})`;
      if (policy === 'keep-when-null') {
        return `${column} = COALESCE(${given}, ${column})`;
      }
      return policy === 'add'
        ? `${column} = ${column} + ${given}`
        : `${column} = ${given}`;
    });
  if (statement.touch) sets.push(`${statement.touch} = ${dialect.now}`);
  if (sets.length === 0) sets.push(`${key[0]} = ${key[0]}`);
  const idIndex = columns.indexOf('id');
  if (jsonColumns.length && idIndex < 0) {
    throw new Error(`A merge-json upsert of ${table} needs its id column`);
  }
  const written: Row[] = [];
  await eachChunk(
    dialect,
    columns.length,
    statement.rows,
    statement.chunkSize,
    async (chunk) => {
      const p = new SqlParams(dialect);
      await manager.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${p.rows(chunk, [])}
      ON DUPLICATE KEY UPDATE ${sets.join(', ')}`,
        p.values,
      );
      const wanted = [
        ...new Set([
          ...statement.returning,
          ...key,
          ...jsonColumns,
          ...(jsonColumns.length ? ['id'] : []),
        ]),
      ];
      const q = new SqlParams(dialect);
      const keyIndexes = key.map((k) => columns.indexOf(k));
      const match = keyMatch(
        q,
        key,
        chunk.map((row) => keyIndexes.map((k) => row[k])),
      );
      // Every row was just written by this transaction (inserted, or updated
      // on the latest committed version under its lock): a plain read sees
      // that version. A locking read would add next-key locks on the gaps
      // and deadlock with concurrent upserts of neighbouring keys.
      const stored = await manager.query<Row[]>(
        `SELECT ${wanted.join(', ')} FROM ${table} WHERE ${match}`,
        q.values,
      );
      if (jsonColumns.length) {
        await mergeJsonColumns(
          dialect,
          manager,
          statement,
          jsonColumns,
          chunk,
          stored,
        );
      }
      written.push(
        ...stored.map((row) =>
          Object.fromEntries(statement.returning.map((c) => [c, row[c]])),
        ),
      );
    },
  );
  return written;
}

async function mergeJsonColumns(
  dialect: SqlDialect,
  manager: EntityManager,
  statement: UpsertStatement,
  jsonColumns: readonly string[],
  chunk: readonly unknown[][],
  stored: readonly Row[],
): Promise<void> {
  const { columns, key } = statement;
  const keyOf = (values: readonly unknown[]): string => JSON.stringify(values);
  const given = new Map(
    chunk.map((row) => [keyOf(key.map((k) => row[columns.indexOf(k)])), row]),
  );
  const idIndex = columns.indexOf('id');
  for (const column of jsonColumns) {
    const index = columns.indexOf(column);
    const changes: [string, string][] = [];
    for (const row of stored) {
      const mine = given.get(keyOf(key.map((k) => row[k])));
      // Rows this statement inserted already hold the given value.
      if (!mine || mine[idIndex] === row.id || mine[index] == null) continue;
      const before =
        row[column] == null ? null : dialect.readJson<Row>(row[column]);
      const patch = dialect.readJson<Row>(mine[index]);
      changes.push([
        String(row.id),
        JSON.stringify(before ? { ...before, ...patch } : patch),
      ]);
    }
    if (changes.length === 0) continue;
    const p = new SqlParams(dialect);
    const cases = changes
      .map(([id, value]) => `WHEN ${p.add(id)} THEN ${p.add(value)}`)
      .join(' ');
    await manager.query(
      `UPDATE ${statement.table} SET ${column} = CASE id ${cases} END WHERE id IN ${p.list(changes.map(([id]) => id))}`,
      p.values,
    );
  }
}

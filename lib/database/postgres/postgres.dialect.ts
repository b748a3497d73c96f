import type { SqlDialect } from '../sql-dialect';
import { returningMembers } from '../returning-sql';
import { postgresBatchStatements } from './postgres-batch.statements';
import { guardPostgresPool } from './postgres-pool.guard';
import { withPostgresMigrationLock } from './postgres-migration.lock';
import { CAMPAIGN_POSTGRES_MIGRATIONS } from './postgres.migrations';

const mergeJsonObjects = (stored: string, given: string): string =>
  `CASE WHEN ${given} IS NULL THEN ${stored} ELSE COALESCE(${stored}, '{}'::jsonb) || ${given} END`;

export const postgresDialect: SqlDialect = {
  type: 'postgres',
  maxParameters: 65_535,
  now: 'now()',
  placeholder: (index) => `$${index}`,
  date: (value) => value,
  typed: (index, type) => `$${index}::${type}`,
  readDate: (value) =>
    value instanceof Date ? value : new Date(String(value)),
  readJson: <T>(value: unknown): T =>
    (typeof value === 'string' ? JSON.parse(value) : value) as T,
  skipLocked: (alias, ...shared) =>
    [
      `FOR UPDATE OF ${alias} SKIP LOCKED`,
      ...shared.map((a) => `FOR SHARE OF ${a} SKIP LOCKED`),
    ].join(' '),
  async tryTransactionLock(manager, name) {
    const [row] = await manager.query<{ locked: boolean }[]>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
      [name],
    );
    return row?.locked === true;
  },
  async transactionLock(manager, name) {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
    return true;
  },
  lockForNoKeyUpdate: 'FOR NO KEY UPDATE SKIP LOCKED',
  clockQuery: 'SELECT clock_timestamp() AS now',
  notifies: true,
  bindsArrays: true,
  // Microseconds kept (a JS Date would drop them).
  timestampKey: (column) =>
    `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  analyze: (tables) => `ANALYZE ${tables.join(', ')}`,
  insertIgnore: { verb: 'INSERT', suffix: 'ON CONFLICT DO NOTHING' },
  migrations: CAMPAIGN_POSTGRES_MIGRATIONS,
  batch: postgresBatchStatements,
  runTransaction: (dataSource, work) => dataSource.transaction(work),
  runStatement: (dataSource, work) => work(dataSource.manager),
  withMigrationLock: (dataSource, { lockKey }, work) =>
    withPostgresMigrationLock(dataSource, lockKey, work),
  onModuleInit: (dataSource) => guardPostgresPool(dataSource),
  ...returningMembers(() => postgresDialect, mergeJsonObjects),
};

import type { EntityManager } from 'typeorm';
import type { SqlDialect, UpdateStatement } from '../sql-dialect';
import { withMysqlMigrationLock } from './mysql-migration.lock';
import { checkMysqlDataSource } from './mysql-startup.check';
import {
  mysqlDeleteCount,
  mysqlDeleteReturningIds,
  mysqlInsertIgnoring,
  mysqlUpdate,
  mysqlUpsert,
} from './mysql-statements';
import {
  mysqlTransactionLock,
  runMysqlTransaction,
  tryMysqlTransactionLock,
} from './mysql-transaction';
import { CAMPAIGN_MYSQL_MIGRATIONS } from './mysql.migrations';

/** UTC text `YYYY-MM-DD HH:MM:SS.SSS`, what a DATETIME(6) column takes as is. */
const utcText = (value: Date): string =>
  value.toISOString().replace('T', ' ').replace('Z', '');

/**
 * MariaDB 10.6+ and MySQL 8 (TypeORM types `mysql` and `mariadb`, driver
 * mysql2, data source option `timezone: 'Z'`). Dates are DATETIME(6) in UTC.
 */
export const mysqlDialect: SqlDialect = {
  type: 'mysql',
  maxParameters: 65_535,
  now: 'UTC_TIMESTAMP(6)',
  placeholder: () => '?',
  date: utcText,
  typed: () => '?',
  // A Date from mysql2 (timezone 'Z', checked at startup), or text with dateStrings.
  readDate: (value) =>
    value instanceof Date
      ? value
      : new Date(`${String(value).replace(' ', 'T')}Z`),
  readJson: <T>(value: unknown): T =>
    (typeof value === 'string' ? JSON.parse(value) : value) as T,
  // No `OF` in either: the lock takes the rows of every joined table, so a
  // replica skips a campaign whose row another's claim holds for its few ms.
  // https://mariadb.com/kb/en/select/#skip-locked and
  // https://dev.mysql.com/doc/refman/8.0/en/innodb-locking-reads.html
  skipLocked: () => 'FOR UPDATE SKIP LOCKED',
  tryTransactionLock: tryMysqlTransactionLock,
  transactionLock: mysqlTransactionLock,
  lockForNoKeyUpdate: 'FOR UPDATE SKIP LOCKED',
  clockQuery: 'SELECT UTC_TIMESTAMP(6) AS now',
  notifies: false,
  bindsArrays: false,
  // Text at microsecond precision that sorts as the instant (DATE_FORMAT's %f is microseconds).
  timestampKey: (column) => `DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.%fZ')`,
  // ANALYZE TABLE commits the transaction implicitly; InnoDB refreshes its statistics itself.
  analyze: () => null,
  // IGNORE skips duplicate keys; the module's rows are validated before, so nothing else is hidden.
  insertIgnore: { verb: 'INSERT IGNORE', suffix: '' },
  migrations: CAMPAIGN_MYSQL_MIGRATIONS,
  batch: null,
  runTransaction: runMysqlTransaction,
  runStatement: (dataSource, work) => work(dataSource.manager),
  withMigrationLock: (dataSource, { lockKey }, work) =>
    withMysqlMigrationLock(dataSource, lockKey, work),
  onModuleInit: checkMysqlDataSource,
  update: async <R>(
    manager: EntityManager,
    statement: UpdateStatement,
  ): Promise<R[]> =>
    (await mysqlUpdate(mysqlDialect, manager, statement)) as R[],
  deleteReturningIds: (manager, statement) =>
    mysqlDeleteReturningIds(mysqlDialect, manager, statement),
  deleteCount: (manager, statement) =>
    mysqlDeleteCount(mysqlDialect, manager, statement),
  upsert: (manager, statement) => mysqlUpsert(mysqlDialect, manager, statement),
  upsertSuffix: () => null,
  insertIgnoring: (manager, insert, rows, chunkSize) =>
    mysqlInsertIgnoring(mysqlDialect, manager, insert, rows, chunkSize),
};

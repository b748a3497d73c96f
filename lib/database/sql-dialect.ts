import type {
  DataSource,
  EntityManager,
  MigrationInterface,
  QueryRunner,
} from 'typeorm';
import type { BatchStatements } from './batch-statements';
import type { SqlParams } from './sql-params';

export type CampaignDatabaseType = 'postgres' | 'sqlite' | 'mysql';

export type CampaignMigrationClass = new () => MigrationInterface;

/** A `VALUES` list joined to an UPDATE as `v`. */
export interface ValuesTable {
  columns: readonly string[];
  rows: readonly unknown[][];
  /** PostgreSQL type of each column (the others infer them). */
  types: readonly string[];
}

/**
 * `UPDATE table SET … [FROM v] WHERE … [RETURNING …]`. The clauses are built
 * by callbacks because positional placeholders must be added in the order
 * the database's statement spells them.
 */
export interface UpdateStatement {
  table: string;
  values?: ValuesTable;
  set: (p: SqlParams) => string;
  where: (p: SqlParams) => string;
  /** Columns of `table` to return, as they are after the update. */
  returning?: readonly string[];
  /** The table's primary key, when not `id`. */
  key?: readonly string[];
}

/** `DELETE FROM table WHERE … RETURNING id`. */
export interface DeleteStatement {
  table: string;
  where: (p: SqlParams) => string;
}

/**
 * How a column is written when the row's unique key already exists:
 * `overwrite` with the given value, `keep-when-null` (the stored value
 * stays when the given one is NULL), `merge-json` (a shallow JSON object
 * merge, given keys over stored ones, nulls kept; NULL keeps the stored
 * object), `add` (stored + given).
 */
export type UpsertPolicy =
  'overwrite' | 'keep-when-null' | 'merge-json' | 'add';

/** A multi-row INSERT that updates the rows whose unique key already exists; the written rows are read back. */
export interface UpsertStatement {
  table: string;
  columns: readonly string[];
  rows: readonly unknown[][];
  /** The unique key the upsert relies on. */
  key: readonly string[];
  /** Columns written on a conflict; the others keep their stored values. */
  onConflict: Readonly<Record<string, UpsertPolicy>>;
  /** A column set to the database's now on a conflict. */
  touch?: string;
  /** Columns to return, of every row written (inserted or updated). */
  returning: readonly string[];
  chunkSize: number;
}

export interface MigrationLockOptions {
  /** The lock's key; every replica of one database must use the same. */
  lockKey: bigint;
}

/** Everything that differs between the databases the module runs on. */
export interface SqlDialect {
  readonly type: CampaignDatabaseType;
  /** Most bind parameters one statement may carry. */
  readonly maxParameters: number;
  /** SQL for "now" in the stored date format. */
  readonly now: string;
  placeholder(index: number): string;
  /** A date as a bind parameter in the stored format. */
  date(value: Date): Date | string;
  /** A placeholder with a type cast where the database cannot infer one (VALUES lists). */
  typed(index: number, postgresType: string): string;
  /** A stored date as read by a raw query. */
  readDate(value: unknown): Date;
  /** A stored JSON value as read by a raw query. */
  readJson<T>(value: unknown): T;
  /**
   * Row-lock clause of a claim: others skip the rows of `alias` one replica
   * holds; `sharedAliases` are locked for share (a campaign being paused or
   * cancelled is skipped until that commits).
   */
  readonly skipLocked: (alias: string, ...sharedAliases: string[]) => string;
  /**
   * Takes a lock held until the transaction of `manager` ends, when free;
   * resolves with whether it was. Always true where transactions already
   * run one at a time (SQLite).
   */
  tryTransactionLock(manager: EntityManager, name: string): Promise<boolean>;
  /**
   * Waits for, then holds until the transaction of `manager` ends, a lock
   * named `name`; resolves with whether it took one (false where
   * transactions already run one at a time: SQLite).
   */
  transactionLock(manager: EntityManager, name: string): Promise<boolean>;
  /** The hot writes in one statement each, where the database can; null: the callers' multi-statement form. */
  readonly batch: BatchStatements | null;
  /** Row-lock clause that blocks writers of the rows but not inserts referencing them; '' where there are no row locks. */
  readonly lockForNoKeyUpdate: string;
  /** A query of the database's clock (one row, `now`), or null: use the process clock. */
  readonly clockQuery: string | null;
  /** Whether the database has LISTEN/NOTIFY (other replicas woken by a commit). */
  readonly notifies: boolean;
  /** Whether bulk writes bind arrays (`unnest`) instead of multi-row VALUES. */
  readonly bindsArrays: boolean;
  /** A timestamp column as a key that sorts and compares at full stored precision. */
  timestampKey(column: string): string;
  /** Refreshes planner statistics of tables after a bulk write, or null where not needed. */
  analyze(tables: readonly string[]): string | null;
  /** `INSERT` verb and the clause after its rows, for an INSERT … SELECT that skips rows a unique key already has. */
  readonly insertIgnore: { verb: string; suffix: string };
  /** The module's migrations, oldest first. */
  readonly migrations: readonly CampaignMigrationClass[];

  /** Runs `work` in one transaction (on SQLite one at a time per data source). */
  runTransaction<T>(
    dataSource: DataSource,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T>;
  /**
   * Runs `work`, one statement atomic on its own: without a transaction
   * where each caller has its own connection; on SQLite in the queue of
   * {@link runTransaction} (outside it, it would join whichever transaction
   * holds the one connection).
   */
  runStatement<T>(
    dataSource: DataSource,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T>;
  /** Runs `work` under a lock that lets one replica at a time migrate the database. */
  withMigrationLock<T>(
    dataSource: DataSource,
    options: MigrationLockOptions,
    work: (runner?: QueryRunner) => Promise<T>,
  ): Promise<T>;
  /** Checks and guards the data source when the module starts; throws on a setting the module cannot run with. */
  onModuleInit(dataSource: DataSource): void | Promise<void>;
  /** An UPDATE, resolving with the `returning` columns of the rows it changed. */
  update<R = Record<string, unknown>>(
    manager: EntityManager,
    statement: UpdateStatement,
  ): Promise<R[]>;
  /** A DELETE, resolving with the ids of the rows it removed. */
  deleteReturningIds(
    manager: EntityManager,
    statement: DeleteStatement,
  ): Promise<string[]>;
  /** A DELETE, resolving with how many rows it removed. */
  deleteCount(
    manager: EntityManager,
    statement: DeleteStatement,
  ): Promise<number>;
  /** An upsert, resolving with the `returning` columns of every row written. */
  upsert(
    manager: EntityManager,
    statement: UpsertStatement,
  ): Promise<Record<string, unknown>[]>;
  /**
   * The `ON CONFLICT … DO UPDATE … RETURNING …` clause of an upsert, for an
   * INSERT … SELECT the caller builds; null where the database has none.
   */
  upsertSuffix(
    statement: Pick<
      UpsertStatement,
      'key' | 'onConflict' | 'touch' | 'returning' | 'table'
    >,
  ): string | null;
  /** A multi-row INSERT that skips rows a unique key already has; resolves with how many it wrote. */
  insertIgnoring(
    manager: EntityManager,
    insert: { table: string; columns: readonly string[] },
    rows: readonly unknown[][],
    chunkSize: number,
  ): Promise<number>;
}

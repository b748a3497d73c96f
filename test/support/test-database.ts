/**
 * Per-test-file throwaway databases for both supported dialects.
 *
 *   const db = await createTestDatabase('postgres');
 *   const ds = new DataSource({ ...db.options, entities, synchronize: true });
 *   ...
 *   await ds.destroy();
 *   await db.drop();
 *
 * PostgreSQL: a new database `cc_test_<hex>` on the server given by
 * TEST_DATABASE_URL (set by test/setup/global-setup.ts, embedded server by default).
 * SQLite: a new better-sqlite3 file under os.tmpdir().
 * MariaDB/MySQL: a new database `cc_test_<hex>` on the server at TEST_MYSQL_URL
 * (default mysql://root@127.0.0.1:3306); skipped when global-setup found none.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';

export type TestDialect = 'postgres' | 'sqlite' | 'mysql';

export interface TestDatabase {
  /** Connection options only: add entities/migrations/synchronize yourself. */
  options: DataSourceOptions;
  /** Removes the database (PostgreSQL) or file (SQLite). Safe to call twice. */
  drop(): Promise<void>;
}

const ALL_DIALECTS: readonly TestDialect[] = ['sqlite', 'postgres', 'mysql'];

export function parseDialects(value: string | undefined): TestDialect[] {
  if (!value || !value.trim()) return [...ALL_DIALECTS];
  const wanted = value
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  for (const d of wanted) {
    if (!ALL_DIALECTS.includes(d as TestDialect)) {
      throw new Error(
        `TEST_DIALECTS contains unknown dialect "${d}" (allowed: ${ALL_DIALECTS.join(', ')})`,
      );
    }
  }
  return ALL_DIALECTS.filter((d) => wanted.includes(d));
}

/** Set by global-setup for the workers: '0' when no MariaDB/MySQL server answered. */
export const TEST_MYSQL_AVAILABLE_ENV = 'TEST_MYSQL_AVAILABLE';

export const DEFAULT_TEST_MYSQL_URL = 'mysql://root@127.0.0.1:3306';

export function mysqlAdminUrl(): string {
  return process.env.TEST_MYSQL_URL || DEFAULT_TEST_MYSQL_URL;
}

/**
 * Dialects to run the suites against; override with TEST_DIALECTS=sqlite,postgres,mysql.
 * The mysql leg drops out when global-setup found no server (it says so once).
 */
export const TEST_DIALECTS: TestDialect[] = parseDialects(
  process.env.TEST_DIALECTS,
).filter((d) => d !== 'mysql' || process.env[TEST_MYSQL_AVAILABLE_ENV] !== '0');

/** The dialects of the run with a database server: what replicas in their own processes (or pools) share. */
export const SERVER_DIALECTS: TestDialect[] = TEST_DIALECTS.filter(
  (d) => d !== 'sqlite',
);

/** `describe.each` over SERVER_DIALECTS (`%s` in `name`); skipped, and listed as such, when the run has none. */
export function describeEachServer(
  name: string,
  fn: (dialect: TestDialect) => void,
): void {
  if (SERVER_DIALECTS.length) describe.each(SERVER_DIALECTS)(name, fn);
  else describe.skip.each<TestDialect>(['postgres'])(name, fn);
}

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set: run the tests through Jest (test/setup/global-setup.ts sets it) ' +
        'or point it at a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test',
    );
  }
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdminClient<T>(
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  // Without a listener a lost connection would crash the worker.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const OBJECT_IN_USE = '55006';

async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `cc_test_${randomBytes(8).toString('hex')}`;
  await withAdminClient(async (client) => {
    // CREATE DATABASE fails with 55006 while another session uses template1.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== OBJECT_IN_USE || attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });

  let dropped = false;
  return {
    options: { type: 'postgres', url: withDatabase(adminUrl(), name) },
    async drop() {
      if (dropped) return;
      await withAdminClient(async (client) => {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        // WITH (FORCE) (PostgreSQL 13+) also covers connections opened meanwhile.
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
      dropped = true;
    },
  };
}

async function withMysqlAdmin<T>(
  fn: (run: (sql: string) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const connection = await createConnection(mysqlAdminUrl());
  try {
    return await fn((sql) => connection.query(sql));
  } finally {
    await connection.end().catch(() => undefined);
  }
}

async function createMysqlDatabase(): Promise<TestDatabase> {
  const name = `cc_test_${randomBytes(8).toString('hex')}`;
  await withMysqlAdmin((run) =>
    run(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`),
  );
  let dropped = false;
  return {
    // timezone 'Z': the module refuses to start without it (it stores UTC).
    options: {
      type: 'mysql',
      url: withDatabase(mysqlAdminUrl(), name),
      timezone: 'Z',
    },
    async drop() {
      if (dropped) return;
      await withMysqlAdmin((run) => run(`DROP DATABASE IF EXISTS ${name}`));
      dropped = true;
    },
  };
}

async function createSqliteDatabase(): Promise<TestDatabase> {
  const file = join(
    tmpdir(),
    `cc_test_${randomBytes(8).toString('hex')}.sqlite`,
  );
  return {
    options: { type: 'better-sqlite3', database: file },
    async drop() {
      await Promise.all(
        ['', '-wal', '-shm', '-journal'].map((suffix) =>
          rm(file + suffix, { force: true }),
        ),
      );
    },
  };
}

/**
 * Creates an empty database for `dialect`. Call `drop()` after destroying the
 * DataSource (e.g. in afterAll).
 */
export async function createTestDatabase(
  dialect: TestDialect,
): Promise<TestDatabase> {
  switch (dialect) {
    case 'postgres':
      return createPostgresDatabase();
    case 'sqlite':
      return createSqliteDatabase();
    case 'mysql':
      return createMysqlDatabase();
    default:
      throw new Error(`Unknown test dialect: ${String(dialect)}`);
  }
}

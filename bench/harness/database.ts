/**
 * Throwaway databases for one bench run: a random PostgreSQL database on
 * PG_URL's server (dropped after) or a temp SQLite file.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { PG_URL, onCleanup } from './env';

export interface BenchDatabase {
  /** Connection options only (no entities, no migrations). */
  options: DataSourceOptions;
  /** PostgreSQL connection string (empty for SQLite). */
  url: string;
  drop(): Promise<void>;
}

export async function withClient<T>(
  url: string,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const OBJECT_IN_USE = '55006';

export async function createPostgresDatabase(): Promise<BenchDatabase> {
  const name = `cc_bench_${randomBytes(6).toString('hex')}`;
  await withClient(PG_URL, async (client) => {
    // CREATE DATABASE fails with 55006 while another session uses template1.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== OBJECT_IN_USE) throw error;
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const drop = onCleanup(() =>
    withClient(PG_URL, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }),
  );
  return {
    options: { type: 'postgres', url: url.toString() },
    url: url.toString(),
    drop,
  };
}

export function createSqliteDatabase(): BenchDatabase {
  const file = join(
    tmpdir(),
    `cc_bench_${randomBytes(6).toString('hex')}.sqlite`,
  );
  const drop = onCleanup(async () => {
    await Promise.all(
      ['', '-wal', '-shm', '-journal'].map((s) =>
        rm(file + s, { force: true }),
      ),
    );
  });
  return { options: { type: 'better-sqlite3', database: file }, url: '', drop };
}

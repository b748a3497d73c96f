import { existsSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  createTestDatabase,
  mysqlAdminUrl,
  parseDialects,
  TEST_DIALECTS,
  TEST_MYSQL_AVAILABLE_ENV,
} from '../support/test-database';

describe('test database setup', () => {
  it('receives TEST_DATABASE_URL from globalSetup in the test worker', () => {
    if (!TEST_DIALECTS.includes('postgres')) {
      expect(process.env.TEST_DATABASE_SOURCE).toBe('none');
      return;
    }
    expect(process.env.TEST_DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
    expect(['external', 'embedded']).toContain(
      process.env.TEST_DATABASE_SOURCE,
    );
  });

  it('reads TEST_DIALECTS: all three by default, else those named; mysql only with a server', () => {
    const mysqlFound = process.env[TEST_MYSQL_AVAILABLE_ENV] !== '0';
    expect(TEST_DIALECTS).toEqual(
      parseDialects(process.env.TEST_DIALECTS).filter(
        (d) => d !== 'mysql' || mysqlFound,
      ),
    );
    expect(parseDialects(undefined)).toEqual(['sqlite', 'postgres', 'mysql']);
    expect(parseDialects(' ')).toEqual(['sqlite', 'postgres', 'mysql']);
    expect(parseDialects('postgres')).toEqual(['postgres']);
    expect(parseDialects(' MySQL , sqlite ')).toEqual(['sqlite', 'mysql']);
    expect(parseDialects(' Postgres , sqlite ')).toEqual([
      'sqlite',
      'postgres',
    ]);
    expect(() => parseDialects('sqlite,oracle')).toThrow(
      'TEST_DIALECTS contains unknown dialect "oracle"',
    );
  });

  describe.each(TEST_DIALECTS)('%s', (dialect) => {
    it('creates a usable database and drops it', async () => {
      const db = await createTestDatabase(dialect);
      expect(db.options.type).toBe(
        dialect === 'sqlite' ? 'better-sqlite3' : dialect,
      );
      expect(db.options).not.toHaveProperty('entities');
      expect(db.options).not.toHaveProperty('synchronize');

      const ds = new DataSource({ ...db.options, entities: [] });
      await ds.initialize();
      try {
        const rows: Array<{ one: number | string }> =
          await ds.query('select 1 as one');
        expect(Number(rows[0].one)).toBe(1);
      } finally {
        await ds.destroy();
      }

      if (db.options.type === 'better-sqlite3') {
        const file = db.options.database;
        expect(existsSync(file)).toBe(true);
        await db.drop();
        expect(existsSync(file)).toBe(false);
      } else if (db.options.type === 'postgres') {
        const name = new URL(db.options.url!).pathname.slice(1);
        expect(name).toMatch(/^cc_test_[0-9a-f]+$/);
        // A connection left open must not prevent the drop.
        const leaked = new Client({ connectionString: db.options.url });
        leaked.on('error', () => undefined);
        await leaked.connect();
        await db.drop();
        await leaked.end().catch(() => undefined);
        const admin = new Client({
          connectionString: process.env.TEST_DATABASE_URL,
        });
        await admin.connect();
        try {
          const res = await admin.query(
            'select 1 from pg_database where datname = $1',
            [name],
          );
          expect(res.rowCount).toBe(0);
        } finally {
          await admin.end();
        }
      } else if (db.options.type === 'mysql') {
        const name = new URL(db.options.url!).pathname.slice(1);
        expect(name).toMatch(/^cc_test_[0-9a-f]+$/);
        const leaked = await createConnection(db.options.url!);
        await db.drop();
        await leaked.end().catch(() => undefined);
        const admin = await createConnection(mysqlAdminUrl());
        try {
          const [rows] = await admin.query(
            'SELECT 1 FROM information_schema.schemata WHERE schema_name = ?',
            [name],
          );
          expect(rows).toEqual([]);
        } finally {
          await admin.end();
        }
      }
      await db.drop(); // idempotent
    });
  });
});

/**
 * Migrations that many replicas run at once: runCampaignMigrations and
 * campaignDataSourceFactory take a PostgreSQL advisory lock, so replicas
 * booting together on an empty database apply each migration once instead of
 * colliding on CREATE TABLE (`pg_type_typname_nsp_index`).
 *
 * The PostgreSQL leg (3 processes, test/support/migrate-main.ts, started past a
 * barrier so their boots race) is skipped when TEST_DIALECTS has no postgres.
 * Without the lock (migrationsRun: true, no TypeORM retry) two of the three
 * such boots fail on a duplicate key in practice; that is not asserted here,
 * since a race that may go either way would make a flaky test.
 */
import { createHash } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { Client } from 'pg';
import {
  DataSource,
  type DataSourceOptions,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import {
  CAMPAIGN_ENTITIES,
  CAMPAIGN_MIGRATIONS_LOCK_KEY,
  campaignDataSourceFactory,
  getCampaignMigrations,
  runCampaignMigrations,
  type CampaignMigrationClass,
} from '../../lib';
import { bootReplicasTogether } from '../support/migrate-process';
import {
  TEST_DIALECTS,
  createTestDatabase,
  type TestDatabase,
} from '../support/test-database';

const describePostgres = TEST_DIALECTS.includes('postgres')
  ? describe
  : describe.skip;
const describeMysql = TEST_DIALECTS.includes('mysql')
  ? describe
  : describe.skip;
const describeSqlite = TEST_DIALECTS.includes('sqlite')
  ? describe
  : describe.skip;

const migrationName = (m: CampaignMigrationClass): string =>
  new m().name ?? m.name;

class FailingMigration1999999999999 implements MigrationInterface {
  name = 'FailingMigration1999999999999';
  async up(q: QueryRunner): Promise<void> {
    await q.query('SELECT * FROM campaign_missing_table');
  }
  async down(): Promise<void> {}
}

function options(
  db: TestDatabase,
  migrations: CampaignMigrationClass[],
): DataSourceOptions {
  return {
    ...db.options,
    entities: CAMPAIGN_ENTITIES,
    migrations,
    migrationsRun: false,
    synchronize: false,
  } as DataSourceOptions;
}

/** Every entity column exists in the migrated schema. */
async function expectSchemaMatchesEntities(ds: DataSource): Promise<void> {
  for (const entity of ds.entityMetadatas) {
    const columns = entity.columns.map((c) => c.databaseName).join(', ');
    await expect(
      ds.query(`SELECT ${columns} FROM ${entity.tableName} WHERE 1 = 0`),
    ).resolves.toEqual([]);
  }
}

describe('runCampaignMigrations without a database', () => {
  it('uses the documented lock key: SHA-256 of the package name', () => {
    const digest = createHash('sha256')
      .update('nestjs-call-campaigns')
      .digest();
    expect(CAMPAIGN_MIGRATIONS_LOCK_KEY).toBe(digest.readBigInt64BE(0));
  });

  it('refuses a database type it cannot lock, naming it', async () => {
    const mssql = { options: { type: 'mssql' } } as unknown as DataSource;
    await expect(runCampaignMigrations(mssql)).rejects.toThrow(
      'database type "mssql"',
    );
  });

  it('refuses a lock key outside the signed 64-bit range', async () => {
    const pg = { options: { type: 'postgres' } } as unknown as DataSource;
    await expect(
      runCampaignMigrations(pg, { lockKey: 2n ** 63n }),
    ).rejects.toThrow('signed 64-bit');
  });

  it('the factory refuses migrationsRun: true (it would run them unlocked)', async () => {
    await expect(
      campaignDataSourceFactory({
        type: 'better-sqlite3',
        database: ':memory:',
        migrationsRun: true,
      }),
    ).rejects.toThrow('migrationsRun: false');
  });
});

describePostgres('migrations from many replicas at once (PostgreSQL)', () => {
  let db: TestDatabase | undefined;
  let ds: DataSource | undefined;
  let holder: Client | undefined;

  afterEach(async () => {
    await holder?.end().catch(() => undefined);
    holder = undefined;
    if (ds?.isInitialized) await ds.destroy();
    ds = undefined;
    await db?.drop();
    db = undefined;
  });

  const url = (d: TestDatabase): string => (d.options as { url: string }).url;

  async function connect(
    migrations: CampaignMigrationClass[],
  ): Promise<DataSource> {
    db ??= await createTestDatabase('postgres');
    ds = new DataSource(options(db, migrations));
    return ds.initialize();
  }

  /** A second session on the same database. */
  async function otherSession(): Promise<Client> {
    holder = new Client({ connectionString: url(db!) });
    holder.on('error', () => undefined);
    await holder.connect();
    return holder;
  }

  async function lockIsFree(key: bigint): Promise<boolean> {
    const client = holder ?? (await otherSession());
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS locked',
      [key.toString()],
    );
    if (rows[0].locked) {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [
        key.toString(),
      ]);
    }
    return rows[0].locked;
  }

  it('3 processes booting together on an empty database apply each migration once', async () => {
    db = await createTestDatabase('postgres');
    const exits = await bootReplicasTogether(url(db), [
      'replica-1',
      'replica-2',
      'replica-3',
    ]);
    for (const exit of exits) {
      const report = `${exit.name} (${exit.code ?? exit.signal}):\n${exit.output}`;
      expect({ report, code: exit.code }).toEqual({ report, code: 0 });
      expect(exit.output).not.toMatch(
        /duplicate key|already exists|Retrying|QueryFailedError/i,
      );
    }

    const migrations = getCampaignMigrations('postgres');
    const check = await connect(migrations);
    const applied = (await check.query(
      'SELECT name FROM migrations ORDER BY id',
    )) as { name: string }[];
    expect(applied.map((m) => m.name)).toEqual(migrations.map(migrationName));
    await expectSchemaMatchesEntities(check);
    expect(await check.showMigrations()).toBe(false);
    expect(await lockIsFree(CAMPAIGN_MIGRATIONS_LOCK_KEY)).toBe(true);
  }, 120_000);

  it('waits while another session holds the lock, then migrates', async () => {
    const migrations = getCampaignMigrations('postgres');
    const source = await connect(migrations);
    const other = await otherSession();
    await other.query('SELECT pg_advisory_lock($1::bigint)', [
      CAMPAIGN_MIGRATIONS_LOCK_KEY.toString(),
    ]);
    let settled = false;
    const run = runCampaignMigrations(source).finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false);
    const [{ table }] = (await source.query(
      `SELECT to_regclass('public.migrations')::text AS table`,
    )) as { table: string | null }[];
    expect(table).toBeNull();

    await other.query('SELECT pg_advisory_unlock($1::bigint)', [
      CAMPAIGN_MIGRATIONS_LOCK_KEY.toString(),
    ]);
    expect((await run).map((m) => m.name)).toEqual(
      migrations.map(migrationName),
    );
    // A later replica finds nothing pending.
    await expect(runCampaignMigrations(source)).resolves.toEqual([]);
  });

  it('takes another lock with a custom lockKey', async () => {
    const source = await connect(getCampaignMigrations('postgres'));
    const other = await otherSession();
    await other.query('SELECT pg_advisory_lock($1::bigint)', [
      CAMPAIGN_MIGRATIONS_LOCK_KEY.toString(),
    ]);
    const applied = await runCampaignMigrations(source, { lockKey: 42n });
    expect(applied).toHaveLength(getCampaignMigrations('postgres').length);
  });

  it('releases the lock when a migration throws, so a later run proceeds', async () => {
    const migrations = getCampaignMigrations('postgres');
    const failing = await connect([
      ...migrations,
      FailingMigration1999999999999,
    ]);
    await expect(runCampaignMigrations(failing)).rejects.toThrow(
      'campaign_missing_table',
    );
    // Released from another session's view, and its pooled connection holds nothing.
    expect(await lockIsFree(CAMPAIGN_MIGRATIONS_LOCK_KEY)).toBe(true);
    const { rows } = await holder!.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory'
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(Number(rows[0].n)).toBe(0);
    await failing.destroy();

    // One transaction for all ('all', the default): nothing was applied.
    const fixed = await connect(migrations);
    const applied = await runCampaignMigrations(fixed);
    expect(applied.map((m) => m.name)).toEqual(migrations.map(migrationName));
    await expectSchemaMatchesEntities(fixed);
  });

  it('the factory initializes the data source and migrates it', async () => {
    db = await createTestDatabase('postgres');
    ds = await campaignDataSourceFactory(
      options(db, getCampaignMigrations('postgres')),
    );
    expect(ds.isInitialized).toBe(true);
    expect(await ds.showMigrations()).toBe(false);
    await expectSchemaMatchesEntities(ds);
  });
});

describeMysql('migrations from many replicas at once (MariaDB/MySQL)', () => {
  let db: TestDatabase | undefined;
  let ds: DataSource | undefined;
  let holder: Connection | undefined;

  afterEach(async () => {
    await holder?.end().catch(() => undefined);
    holder = undefined;
    if (ds?.isInitialized) await ds.destroy();
    ds = undefined;
    await db?.drop();
    db = undefined;
  });

  const url = (d: TestDatabase): string => (d.options as { url: string }).url;
  /** The GET_LOCK name runCampaignMigrations takes for a key, in this database. */
  const lockName = (key: bigint) => [
    `nestjs-call-campaigns:migrations:${key.toString()}`,
  ];
  const LOCK = "SHA1(CONCAT(DATABASE(), '/', ?))";

  async function connect(
    migrations: CampaignMigrationClass[],
  ): Promise<DataSource> {
    db ??= await createTestDatabase('mysql');
    ds = new DataSource(options(db, migrations));
    return ds.initialize();
  }

  async function otherSession(): Promise<Connection> {
    holder = await createConnection(url(db!));
    return holder;
  }

  async function lockIsFree(key: bigint): Promise<boolean> {
    const client = holder ?? (await otherSession());
    const [rows] = await client.query(
      `SELECT IS_FREE_LOCK(${LOCK}) AS free`,
      lockName(key),
    );
    return Number((rows as { free: number }[])[0].free) === 1;
  }

  it('3 processes booting together on an empty database apply each migration once', async () => {
    db = await createTestDatabase('mysql');
    const exits = await bootReplicasTogether(url(db), [
      'replica-1',
      'replica-2',
      'replica-3',
    ]);
    for (const exit of exits) {
      const report = `${exit.name} (${exit.code ?? exit.signal}):\n${exit.output}`;
      expect({ report, code: exit.code }).toEqual({ report, code: 0 });
      expect(exit.output).not.toMatch(
        /duplicate|already exists|Retrying|QueryFailedError/i,
      );
    }
    const migrations = getCampaignMigrations('mysql');
    const check = await connect(migrations);
    const applied = (await check.query(
      'SELECT name FROM migrations ORDER BY id',
    )) as { name: string }[];
    expect(applied.map((m) => m.name)).toEqual(migrations.map(migrationName));
    await expectSchemaMatchesEntities(check);
    expect(await check.showMigrations()).toBe(false);
    expect(await lockIsFree(CAMPAIGN_MIGRATIONS_LOCK_KEY)).toBe(true);
  }, 120_000);

  it('waits while another session holds the lock, then migrates', async () => {
    const migrations = getCampaignMigrations('mysql');
    const source = await connect(migrations);
    const other = await otherSession();
    await other.query(
      `SELECT GET_LOCK(${LOCK}, 5)`,
      lockName(CAMPAIGN_MIGRATIONS_LOCK_KEY),
    );
    let settled = false;
    const run = runCampaignMigrations(source).finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false);
    const [{ n }] = (await source.query(
      `SELECT COUNT(*) AS n FROM information_schema.tables
       WHERE table_schema = DATABASE() AND table_name = 'migrations'`,
    )) as { n: number | string }[];
    expect(Number(n)).toBe(0);

    await other.query(
      `SELECT RELEASE_LOCK(${LOCK})`,
      lockName(CAMPAIGN_MIGRATIONS_LOCK_KEY),
    );
    expect((await run).map((m) => m.name)).toEqual(
      migrations.map(migrationName),
    );
    await expect(runCampaignMigrations(source)).resolves.toEqual([]);
  });

  it('takes another lock with a custom lockKey', async () => {
    const source = await connect(getCampaignMigrations('mysql'));
    const other = await otherSession();
    await other.query(
      `SELECT GET_LOCK(${LOCK}, 5)`,
      lockName(CAMPAIGN_MIGRATIONS_LOCK_KEY),
    );
    const applied = await runCampaignMigrations(source, { lockKey: 42n });
    expect(applied).toHaveLength(getCampaignMigrations('mysql').length);
  });

  it('releases the lock when a migration throws, so a later run proceeds', async () => {
    const migrations = getCampaignMigrations('mysql');
    const failing = await connect([
      ...migrations,
      FailingMigration1999999999999,
    ]);
    await expect(runCampaignMigrations(failing)).rejects.toThrow(
      'campaign_missing_table',
    );
    expect(await lockIsFree(CAMPAIGN_MIGRATIONS_LOCK_KEY)).toBe(true);
    await failing.destroy();
    // DDL commits implicitly here: the schema step stays applied, and the
    // next run finishes what is left (nothing of the module's).
    const fixed = await connect(migrations);
    await runCampaignMigrations(fixed);
    expect(await fixed.showMigrations()).toBe(false);
    await expectSchemaMatchesEntities(fixed);
  });
});

describeSqlite('runCampaignMigrations on SQLite', () => {
  let db: TestDatabase | undefined;
  let ds: DataSource | undefined;

  afterEach(async () => {
    if (ds?.isInitialized) await ds.destroy();
    ds = undefined;
    await db?.drop();
    db = undefined;
  });

  it('the factory runs them (no lock: one process per file)', async () => {
    db = await createTestDatabase('sqlite');
    const migrations = getCampaignMigrations('better-sqlite3');
    ds = await campaignDataSourceFactory(options(db, migrations));
    expect(await ds.showMigrations()).toBe(false);
    await expectSchemaMatchesEntities(ds);
    await expect(runCampaignMigrations(ds)).resolves.toEqual([]);
  });

  it('a failing migration rejects and leaves the data source usable', async () => {
    db = await createTestDatabase('sqlite');
    ds = new DataSource(
      options(db, [
        ...getCampaignMigrations('better-sqlite3'),
        FailingMigration1999999999999,
      ]),
    );
    await ds.initialize();
    await expect(runCampaignMigrations(ds)).rejects.toThrow(
      'campaign_missing_table',
    );
    await expect(ds.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});

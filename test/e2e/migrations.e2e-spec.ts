import { DataSource } from 'typeorm';
import {
  TEST_DIALECTS,
  createTestDatabase,
  type TestDatabase,
} from '../support/test-database';
import { dataSourceOptionsFor } from '../support/test-app';
import { CONTACT_TABLE_COLUMNS } from '../support/seed-contact-fields';

const TABLES = [
  'campaign_api_tokens',
  'campaign_playbooks',
  'campaign_contacts',
  'campaigns',
  'campaign_calls',
  'campaign_call_attempts',
  'campaign_do_not_call',
  'campaign_idempotency_keys',
];

describe.each(TEST_DIALECTS)('migrations (%s)', (dialect) => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ds = new DataSource({
      ...dataSourceOptionsFor(db.options),
      migrationsRun: false,
    });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const tables = async (): Promise<string[]> => {
    const rows: { name: string }[] = await ds.query(
      dialect === 'postgres'
        ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`
        : dialect === 'mysql'
          ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`
          : `SELECT name FROM sqlite_master WHERE type = 'table'`,
    );
    return rows
      .map((r) => r.name)
      .filter((n) => TABLES.includes(n))
      .sort();
  };

  const columnsOf = async (table: string): Promise<string[]> => {
    const rows: { name: string }[] = await ds.query(
      dialect === 'postgres'
        ? `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`
        : dialect === 'mysql'
          ? // The generated column backing the partial unique index is not a stored field.
            `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND extra NOT LIKE '%GENERATED%'`
          : `SELECT name FROM pragma_table_info(?)`,
      [table],
    );
    return rows.map((r) => r.name).sort();
  };

  it('make campaign_contacts exactly phone, the contact fields and the bookkeeping columns', async () => {
    const applied = await ds.runMigrations();
    expect(await columnsOf('campaign_contacts')).toEqual(
      [...CONTACT_TABLE_COLUMNS].sort(),
    );
    for (let i = 0; i < applied.length; i++) await ds.undoLastMigration();
  });

  it('go up, match the entities, go down, and up again', async () => {
    const applied = await ds.runMigrations();
    expect(applied.length).toBeGreaterThan(0);
    expect(await tables()).toEqual([...TABLES].sort());
    // The entities map onto the migrated schema: every entity column exists.
    for (const entity of ds.entityMetadatas) {
      const columns = entity.columns.map((c) => c.databaseName).join(', ');
      await expect(
        ds.query(`SELECT ${columns} FROM ${entity.tableName} WHERE 1 = 0`),
      ).resolves.toEqual([]);
    }
    for (let i = 0; i < applied.length; i++) await ds.undoLastMigration();
    expect(await tables()).toEqual([]);
    await ds.runMigrations();
    expect(await tables()).toEqual([...TABLES].sort());
  });
});

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CAMPAIGN_ENTITIES,
  getCampaignMigrations,
} from 'nestjs-call-campaigns';
import type { DataSourceOptions } from 'typeorm';

/** PostgreSQL when DATABASE_URL is set, else a SQLite file (SQLITE_PATH). */
export function dataSourceOptions(): DataSourceOptions {
  const url = process.env.DATABASE_URL;
  if (url) {
    return {
      type: 'postgres',
      url,
      entities: CAMPAIGN_ENTITIES,
      migrations: getCampaignMigrations('postgres'),
      migrationsRun: true,
    };
  }
  return {
    type: 'better-sqlite3',
    database: process.env.SQLITE_PATH ?? join(tmpdir(), 'pack-check.sqlite'),
    entities: CAMPAIGN_ENTITIES,
    migrations: getCampaignMigrations('better-sqlite3'),
    migrationsRun: true,
  };
}

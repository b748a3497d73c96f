import { resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { CAMPAIGN_ENTITIES, getCampaignMigrations } from '../lib';

/**
 * SQLite under ./data by default; a postgres:// DATABASE_URL switches to
 * PostgreSQL. `migrationsRun` stays off: app.module.ts runs the migrations
 * with campaignDataSourceFactory, under an advisory lock on PostgreSQL, so
 * many replicas can boot at once on an empty database.
 */
export function sampleDataSourceOptions(
  env: NodeJS.ProcessEnv = process.env,
): DataSourceOptions {
  const url = env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    return {
      type: 'postgres',
      url,
      entities: CAMPAIGN_ENTITIES,
      migrations: getCampaignMigrations('postgres'),
      migrationsRun: false,
    };
  }
  if (url) {
    throw new Error('DATABASE_URL must be a postgres:// URL');
  }
  return {
    type: 'better-sqlite3',
    database: resolve(env.SQLITE_PATH ?? 'data/sample-app.sqlite'),
    entities: CAMPAIGN_ENTITIES,
    migrations: getCampaignMigrations('better-sqlite3'),
    migrationsRun: false,
  };
}

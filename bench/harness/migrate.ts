import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  CAMPAIGN_ENTITIES,
  getCampaignMigrations,
  runCampaignMigrations,
} from '../../lib';
import type { BenchDatabase } from './database';

/** Creates the module's tables from this process, so that every replica can then boot at once. */
export async function migrateCampaignTables(db: BenchDatabase): Promise<void> {
  const dataSource = new DataSource({
    ...db.options,
    entities: CAMPAIGN_ENTITIES,
    migrations: getCampaignMigrations(db.options.type),
    migrationsRun: false,
  } as DataSourceOptions);
  await dataSource.initialize();
  try {
    await runCampaignMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

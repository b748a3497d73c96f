import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  runCampaignMigrations,
  type RunCampaignMigrationsOptions,
} from './run-campaign-migrations';

/** The shape of `@nestjs/typeorm`'s `dataSourceFactory`. */
export type CampaignDataSourceFactory = (
  options?: DataSourceOptions,
) => Promise<DataSource>;

/**
 * A `dataSourceFactory` for `TypeOrmModule.forRootAsync` that builds the data
 * source, initializes it and runs its migrations with runCampaignMigrations
 * (one replica at a time on PostgreSQL). The options must keep
 * `migrationsRun` off: TypeORM would run them unlocked in initialize().
 */
export function createCampaignDataSourceFactory(
  migrationOptions: RunCampaignMigrationsOptions = {},
): CampaignDataSourceFactory {
  return async (options) => {
    if (!options) {
      throw new Error(
        'campaignDataSourceFactory needs the TypeORM options (TypeOrmModule.forRootAsync useFactory)',
      );
    }
    if (options.migrationsRun) {
      throw new Error(
        'campaignDataSourceFactory runs the migrations itself: set migrationsRun: false (with it, every replica would run them unlocked)',
      );
    }
    const dataSource = new DataSource(options);
    await dataSource.initialize();
    try {
      await runCampaignMigrations(dataSource, migrationOptions);
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw error;
    }
    return dataSource;
  };
}

/**
 * `TypeOrmModule.forRootAsync({ useFactory, dataSourceFactory: campaignDataSourceFactory })`:
 * migrations that many replicas can run at once, with the default lock key.
 */
export const campaignDataSourceFactory: CampaignDataSourceFactory =
  createCampaignDataSourceFactory();

import { CampaignSchemaMysql1764410000000 } from '../../migrations/1764410000000-campaign-schema.mysql';
import type { CampaignMigrationClass } from '../sql-dialect';

/** Migrations for MariaDB 10.6+ / MySQL 8 (TypeORM type `mysql` or `mariadb`), oldest first. */
export const CAMPAIGN_MYSQL_MIGRATIONS: CampaignMigrationClass[] = [
  CampaignSchemaMysql1764410000000,
];

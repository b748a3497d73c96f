import { sqlDialectOfType } from '../database/sql-dialect-of';
import type { CampaignMigrationClass } from '../database/sql-dialect';
import { CampaignSchemaMysql1764410000000 } from './1764410000000-campaign-schema.mysql';
import { CampaignInitialSchemaPostgres1764130000000 } from './1764130000000-campaign-initial-schema.postgres';
import { CampaignInitialSchemaSqlite1764130000000 } from './1764130000000-campaign-initial-schema.sqlite';
import { CampaignOperationsPostgres1764210000000 } from './1764210000000-campaign-operations.postgres';
import { CampaignOperationsSqlite1764210000000 } from './1764210000000-campaign-operations.sqlite';
import { CampaignClaimIndexPostgres1764220000000 } from './1764220000000-campaign-claim-index.postgres';
import { CampaignClaimIndexSqlite1764220000000 } from './1764220000000-campaign-claim-index.sqlite';
import { CampaignCallingWindowPostgres1764300000000 } from './1764300000000-campaign-calling-window.postgres';
import { CampaignCallingWindowSqlite1764300000000 } from './1764300000000-campaign-calling-window.sqlite';
import { CampaignCallVerdictsPostgres1764310000000 } from './1764310000000-campaign-call-verdicts.postgres';
import { CampaignCallVerdictsSqlite1764310000000 } from './1764310000000-campaign-call-verdicts.sqlite';
import { CampaignProvidersPostgres1764320000000 } from './1764320000000-campaign-providers.postgres';
import { CampaignProvidersSqlite1764320000000 } from './1764320000000-campaign-providers.sqlite';
import { CampaignEventsPostgres1764400000000 } from './1764400000000-campaign-events.postgres';
import { CampaignEventsSqlite1764400000000 } from './1764400000000-campaign-events.sqlite';
import { CampaignWebhooksPostgres1764410000000 } from './1764410000000-campaign-webhooks.postgres';
import { CampaignWebhooksSqlite1764410000000 } from './1764410000000-campaign-webhooks.sqlite';

export {
  CampaignInitialSchemaPostgres1764130000000,
  CampaignInitialSchemaSqlite1764130000000,
  CampaignOperationsPostgres1764210000000,
  CampaignOperationsSqlite1764210000000,
  CampaignClaimIndexPostgres1764220000000,
  CampaignClaimIndexSqlite1764220000000,
  CampaignCallingWindowPostgres1764300000000,
  CampaignCallingWindowSqlite1764300000000,
  CampaignCallVerdictsPostgres1764310000000,
  CampaignCallVerdictsSqlite1764310000000,
  CampaignProvidersPostgres1764320000000,
  CampaignProvidersSqlite1764320000000,
  CampaignEventsPostgres1764400000000,
  CampaignEventsSqlite1764400000000,
  CampaignWebhooksPostgres1764410000000,
  CampaignWebhooksSqlite1764410000000,
};

export { CampaignSchemaMysql1764410000000 };
export { CAMPAIGN_POSTGRES_MIGRATIONS } from '../database/postgres/postgres.migrations';
export { CAMPAIGN_SQLITE_MIGRATIONS } from '../database/sqlite/sqlite.migrations';
export { CAMPAIGN_MYSQL_MIGRATIONS } from '../database/mysql/mysql.migrations';
export type { CampaignMigrationClass };

/** The module's migrations for a TypeORM data source type, oldest first. */
export function getCampaignMigrations(type: string): CampaignMigrationClass[] {
  return [...sqlDialectOfType(type).migrations];
}

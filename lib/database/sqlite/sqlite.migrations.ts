import { CampaignInitialSchemaSqlite1764130000000 } from '../../migrations/1764130000000-campaign-initial-schema.sqlite';
import { CampaignOperationsSqlite1764210000000 } from '../../migrations/1764210000000-campaign-operations.sqlite';
import { CampaignClaimIndexSqlite1764220000000 } from '../../migrations/1764220000000-campaign-claim-index.sqlite';
import { CampaignCallingWindowSqlite1764300000000 } from '../../migrations/1764300000000-campaign-calling-window.sqlite';
import { CampaignCallVerdictsSqlite1764310000000 } from '../../migrations/1764310000000-campaign-call-verdicts.sqlite';
import { CampaignProvidersSqlite1764320000000 } from '../../migrations/1764320000000-campaign-providers.sqlite';
import { CampaignEventsSqlite1764400000000 } from '../../migrations/1764400000000-campaign-events.sqlite';
import { CampaignWebhooksSqlite1764410000000 } from '../../migrations/1764410000000-campaign-webhooks.sqlite';
import type { CampaignMigrationClass } from '../sql-dialect';

/** Migrations for SQLite (better-sqlite3), oldest first. */
export const CAMPAIGN_SQLITE_MIGRATIONS: CampaignMigrationClass[] = [
  CampaignInitialSchemaSqlite1764130000000,
  CampaignOperationsSqlite1764210000000,
  CampaignClaimIndexSqlite1764220000000,
  CampaignCallingWindowSqlite1764300000000,
  CampaignCallVerdictsSqlite1764310000000,
  CampaignProvidersSqlite1764320000000,
  CampaignEventsSqlite1764400000000,
  CampaignWebhooksSqlite1764410000000,
];

import { CampaignInitialSchemaPostgres1764130000000 } from '../../migrations/1764130000000-campaign-initial-schema.postgres';
import { CampaignOperationsPostgres1764210000000 } from '../../migrations/1764210000000-campaign-operations.postgres';
import { CampaignClaimIndexPostgres1764220000000 } from '../../migrations/1764220000000-campaign-claim-index.postgres';
import { CampaignCallingWindowPostgres1764300000000 } from '../../migrations/1764300000000-campaign-calling-window.postgres';
import { CampaignCallVerdictsPostgres1764310000000 } from '../../migrations/1764310000000-campaign-call-verdicts.postgres';
import { CampaignProvidersPostgres1764320000000 } from '../../migrations/1764320000000-campaign-providers.postgres';
import { CampaignEventsPostgres1764400000000 } from '../../migrations/1764400000000-campaign-events.postgres';
import { CampaignWebhooksPostgres1764410000000 } from '../../migrations/1764410000000-campaign-webhooks.postgres';
import type { CampaignMigrationClass } from '../sql-dialect';

/** Migrations for PostgreSQL, oldest first: add them to the host's `migrations`. */
export const CAMPAIGN_POSTGRES_MIGRATIONS: CampaignMigrationClass[] = [
  CampaignInitialSchemaPostgres1764130000000,
  CampaignOperationsPostgres1764210000000,
  CampaignClaimIndexPostgres1764220000000,
  CampaignCallingWindowPostgres1764300000000,
  CampaignCallVerdictsPostgres1764310000000,
  CampaignProvidersPostgres1764320000000,
  CampaignEventsPostgres1764400000000,
  CampaignWebhooksPostgres1764410000000,
];

import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import {
  CAMPAIGN_ASYNC_OPTIONS_TYPE,
  CampaignConfigurableModule,
  CAMPAIGN_MODULE_OPTIONS,
  CAMPAIGN_OPTIONS_TYPE,
} from './campaign.module-definition';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from './campaign.constants';
import {
  CAMPAIGN_EXPORTED_SERVICES,
  CAMPAIGN_EXPORTED_TOKENS,
} from './campaign-exports';
import { IdempotencyKeyService } from './idempotency/idempotency-key.service';
import { DashboardAssets } from './dashboard/dashboard-assets';
import { CAMPAIGN_DASHBOARD_ASSETS } from './dashboard/dashboard.constants';
import { DashboardController } from './dashboard/dashboard.controller';
import { resolveDashboardOptions } from './dashboard/dashboard-options';
import { DatabaseStartupGuard } from './database/database-startup.guard';
import { CAMPAIGN_ENTITIES } from './entities';
import { CampaignEventOutbox } from './events/campaign-event-outbox';
import { CampaignEventStore } from './events/campaign-event.store';
import { CampaignBodyGuard } from './http/campaign-body.guard';
import { CAMPAIGN_CONTROLLERS } from './http/campaign-controllers';
import { mountController } from './http/mount-controller';
import { CreateCampaignPipe } from './http/create-campaign.pipe';
import type {
  CampaignModuleExtras,
  CampaignModuleOptions,
} from './options/campaign-module-options.interface';
import {
  CAMPAIGN_OPTION_DEFAULTS,
  resolveCampaignOptions,
} from './options/resolve-campaign-options';
import { PlaybookOwnershipGuard } from './playbooks/playbook-ownership.guard';
import { CampaignRetentionJob } from './retention/campaign-retention.job';
import { CallDispatchRepository } from './scheduler/call-dispatch.repository';
import { campaignClockProvider } from './scheduler/campaign-clock.provider';
import { DueCallsNotifier } from './scheduler/due-calls.notifier';
import { campaignSchedulerRegistryProvider } from './scheduler/campaign-scheduler-registry.provider';
import { WebhookBodyGuard } from './http/webhook-body.guard';
import { WEBHOOK_PROVIDERS } from './webhooks/webhook.providers';

/**
 * Outbound call campaigns for a host Nest app: `POST /campaign` on the host's
 * TypeORM data source (PostgreSQL or SQLite). One per application: import it
 * once (with `isGlobal: true` to reach every feature module).
 */
@Module({})
export class CampaignModule extends CampaignConfigurableModule {
  constructor(modules: ModulesContainer) {
    super();
    assertSingleCampaignModule(modules);
  }

  static forRoot(options: typeof CAMPAIGN_OPTIONS_TYPE = {}): DynamicModule {
    return withFeatures(super.forRoot(options), options);
  }

  static forRootAsync(
    options: typeof CAMPAIGN_ASYNC_OPTIONS_TYPE,
  ): DynamicModule {
    return withFeatures(super.forRootAsync(options), options);
  }
}

/** Two imports would mean two dialing loops and two sets of routes in one process. */
function assertSingleCampaignModule(modules: ModulesContainer): void {
  const imports = [...modules.values()].filter(
    (module) => module.metatype === CampaignModule,
  ).length;
  if (imports > 1) {
    throw new Error(
      `CampaignModule is imported ${imports} times in one application (forRoot/forRootAsync called more than once). ` +
        'Import it once, e.g. in the root module with `isGlobal: true`, and inject its services in feature modules.',
    );
  }
}

function withFeatures(
  definition: DynamicModule,
  extras: CampaignModuleExtras,
): DynamicModule {
  const routePrefix =
    extras.routePrefix ?? CAMPAIGN_OPTION_DEFAULTS.routePrefix;
  // Checked at import: its path decides which controllers exist.
  const dashboard = resolveDashboardOptions(extras.dashboard, routePrefix);
  const internal: Provider[] = [
    {
      provide: CAMPAIGN_OPTIONS,
      useFactory: (options: CampaignModuleOptions) =>
        resolveCampaignOptions(options, { routePrefix }),
      inject: [CAMPAIGN_MODULE_OPTIONS],
    },
    {
      provide: CAMPAIGN_DATA_SOURCE,
      useExisting: getDataSourceToken(extras.dataSource),
    },
    IdempotencyKeyService,
    campaignClockProvider,
    campaignSchedulerRegistryProvider,
    CallDispatchRepository,
    CampaignEventOutbox,
    CampaignEventStore,
    DueCallsNotifier,
    CampaignRetentionJob,
    DatabaseStartupGuard,
    CampaignBodyGuard,
    PlaybookOwnershipGuard,
    CreateCampaignPipe,
    WebhookBodyGuard,
    ...WEBHOOK_PROVIDERS,
  ];
  return {
    ...definition,
    imports: [
      ...(definition.imports ?? []),
      TypeOrmModule.forFeature(CAMPAIGN_ENTITIES, extras.dataSource),
    ],
    controllers: [
      // Only with the option: without it the host gains no page route.
      ...(dashboard
        ? [mountController(DashboardController, dashboard.path)]
        : []),
      ...CAMPAIGN_CONTROLLERS.map((controller) =>
        mountController(controller, routePrefix),
      ),
    ],
    providers: [
      ...(definition.providers ?? []),
      ...internal,
      ...(dashboard
        ? [
            {
              provide: CAMPAIGN_DASHBOARD_ASSETS,
              useFactory: () => new DashboardAssets(dashboard),
            },
          ]
        : []),
      ...CAMPAIGN_EXPORTED_SERVICES,
    ],
    exports: [
      ...(definition.exports ?? []),
      ...CAMPAIGN_EXPORTED_SERVICES,
      ...CAMPAIGN_EXPORTED_TOKENS,
    ],
  };
}

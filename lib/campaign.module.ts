import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenService } from './auth/api-token.service';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import {
  CAMPAIGN_ASYNC_OPTIONS_TYPE,
  CampaignConfigurableModule,
  CAMPAIGN_MODULE_OPTIONS,
  CAMPAIGN_OPTIONS_TYPE,
} from './campaign.module-definition';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from './campaign.constants';
import { CampaignCreationService } from './campaigns/campaign-creation.service';
import { CampaignLifecycleService } from './campaigns/campaign-lifecycle.service';
import { CampaignListService } from './campaigns/campaign-list.service';
import { CampaignQueryService } from './campaigns/campaign-query.service';
import { IdempotencyKeyService } from './campaigns/idempotency-key.service';
import { DoNotCallService } from './do-not-call/do-not-call.service';
import { PostgresPoolGuard } from './database/postgres-pool.guard';
import { CAMPAIGN_ENTITIES } from './entities';
import { CampaignEventsService } from './events/campaign-events.service';
import { CAMPAIGN_CONTROLLERS } from './http/campaign-controllers';
import { mountController } from './http/mount-controller';
import { CreateCampaignPipe } from './http/create-campaign.pipe';
import { JsonBodyInterceptor } from './http/json-body.interceptor';
import type {
  CampaignModuleExtras,
  CampaignModuleOptions,
} from './options/campaign-module-options.interface';
import { resolveCampaignOptions } from './options/resolve-campaign-options';
import { PlaybookOwnershipGuard } from './playbooks/playbook-ownership.guard';
import { PlaybookService } from './playbooks/playbook.service';
import { CallDispatchRepository } from './scheduler/call-dispatch.repository';
import { CallOutcomeService } from './scheduler/call-outcome.service';
import {
  CAMPAIGN_CLOCK,
  campaignClockProvider,
} from './scheduler/campaign-clock.provider';
import { DialingLoopService } from './scheduler/dialing-loop.service';

const EXPORTED = [
  ApiTokenService,
  PlaybookService,
  CampaignCreationService,
  CampaignQueryService,
  CampaignListService,
  CallOutcomeService,
  DialingLoopService,
  CampaignEventsService,
  CampaignLifecycleService,
  DoNotCallService,
  CAMPAIGN_OPTIONS,
  CAMPAIGN_CLOCK,
];

/**
 * Outbound call campaigns for a host Nest app: `POST /campaign` on the host's
 * TypeORM data source (PostgreSQL or SQLite).
 */
@Module({})
export class CampaignModule extends CampaignConfigurableModule {
  static forRoot(options: typeof CAMPAIGN_OPTIONS_TYPE = {}): DynamicModule {
    return withFeatures(super.forRoot(options), options);
  }

  static forRootAsync(
    options: typeof CAMPAIGN_ASYNC_OPTIONS_TYPE,
  ): DynamicModule {
    return withFeatures(super.forRootAsync(options), options);
  }
}

function withFeatures(
  definition: DynamicModule,
  extras: CampaignModuleExtras,
): DynamicModule {
  return {
    ...definition,
    imports: [
      ...(definition.imports ?? []),
      TypeOrmModule.forFeature(CAMPAIGN_ENTITIES, extras.dataSource),
      ScheduleModule.forRoot(),
    ],
    controllers: CAMPAIGN_CONTROLLERS.map((controller) =>
      mountController(controller, extras.routePrefix ?? 'campaign'),
    ),
    providers: [
      ...(definition.providers ?? []),
      {
        provide: CAMPAIGN_OPTIONS,
        useFactory: (options: CampaignModuleOptions) =>
          resolveCampaignOptions(options),
        inject: [CAMPAIGN_MODULE_OPTIONS],
      },
      {
        provide: CAMPAIGN_DATA_SOURCE,
        useExisting: getDataSourceToken(extras.dataSource),
      },
      ApiTokenService,
      PlaybookService,
      CampaignCreationService,
      IdempotencyKeyService,
      CampaignQueryService,
      CampaignListService,
      campaignClockProvider,
      CallDispatchRepository,
      CallOutcomeService,
      DialingLoopService,
      CampaignEventsService,
      CampaignLifecycleService,
      DoNotCallService,
      PostgresPoolGuard,
      BearerAuthGuard,
      PlaybookOwnershipGuard,
      CreateCampaignPipe,
      JsonBodyInterceptor,
    ],
    exports: [...(definition.exports ?? []), ...EXPORTED],
  };
}

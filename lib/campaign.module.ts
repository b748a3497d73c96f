import { Module, type DynamicModule } from '@nestjs/common';
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
import { CAMPAIGN_ENTITIES } from './entities';
import { campaignControllerAt } from './http/campaign.controller';
import { CreateCampaignPipe } from './http/create-campaign.pipe';
import { JsonBodyInterceptor } from './http/json-body.interceptor';
import type {
  CampaignModuleExtras,
  CampaignModuleOptions,
} from './options/campaign-module-options.interface';
import { resolveCampaignOptions } from './options/resolve-campaign-options';
import { PlaybookOwnershipGuard } from './playbooks/playbook-ownership.guard';
import { PlaybookService } from './playbooks/playbook.service';

const EXPORTED = [
  ApiTokenService,
  PlaybookService,
  CampaignCreationService,
  CAMPAIGN_OPTIONS,
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
    ],
    controllers: [campaignControllerAt(extras.routePrefix ?? 'campaign')],
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
      BearerAuthGuard,
      PlaybookOwnershipGuard,
      CreateCampaignPipe,
      JsonBodyInterceptor,
    ],
    exports: [...(definition.exports ?? []), ...EXPORTED],
  };
}

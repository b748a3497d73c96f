import { ConfigurableModuleBuilder } from '@nestjs/common';
import type {
  CampaignModuleExtras,
  CampaignModuleOptions,
} from './options/campaign-module-options.interface';

export const {
  ConfigurableModuleClass: CampaignConfigurableModule,
  MODULE_OPTIONS_TOKEN: CAMPAIGN_MODULE_OPTIONS,
  OPTIONS_TYPE: CAMPAIGN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CAMPAIGN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CampaignModuleOptions>({
  moduleName: 'Campaign',
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCampaignOptions')
  .setExtras<CampaignModuleExtras>(
    {
      dataSource: undefined,
      routePrefix: 'campaign',
      isGlobal: false,
      dashboard: undefined,
    },
    (definition, extras) => ({ ...definition, global: extras.isGlobal }),
  )
  .build();

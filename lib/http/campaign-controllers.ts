import type { Type } from '@nestjs/common';
import { CampaignLifecycleController } from './campaign-lifecycle.controller';
import { CampaignController } from './campaign.controller';
import { CampaignListController } from './campaign-list.controller';
import { DoNotCallController } from './do-not-call.controller';
import { ProviderWebhookController } from './provider-webhook.controller';
import { WebhookEndpointController } from './webhook-endpoint.controller';

/**
 * Controllers of the module, in route-registration order: fixed paths such as
 * `do-not-call` and `webhook-endpoints` come before the `:id` routes that would otherwise match them.
 */
export const CAMPAIGN_CONTROLLERS: Type<unknown>[] = [
  ProviderWebhookController,
  DoNotCallController,
  WebhookEndpointController,
  CampaignController,
  CampaignLifecycleController,
  CampaignListController,
];

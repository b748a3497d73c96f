import type { Type } from '@nestjs/common';
import { CampaignController } from './campaign.controller';

/**
 * Controllers of the module, in route-registration order: fixed paths such as
 * `do-not-call` come before the `:id` routes that would otherwise match them.
 */
export const CAMPAIGN_CONTROLLERS: Type<unknown>[] = [CampaignController];

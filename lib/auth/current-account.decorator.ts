import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CampaignRequest } from '../http/campaign-request.interface';
import type { CampaignAccount } from '../options/campaign-module-options.interface';

/** The account that `BearerAuthGuard` authenticated. */
export const CurrentAccount = createParamDecorator(
  (_: unknown, context: ExecutionContext): CampaignAccount => {
    const account = context
      .switchToHttp()
      .getRequest<CampaignRequest>().campaignAccount;
    if (!account)
      throw new Error('CurrentAccount used without BearerAuthGuard');
    return account;
  },
);

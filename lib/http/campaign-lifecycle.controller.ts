import {
  HttpCode,
  NotFoundException,
  Param,
  Post,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentAccount } from '../auth/current-account.decorator';
import {
  CampaignLifecycleService,
  type CampaignAction,
} from '../campaigns/campaign-lifecycle.service';
import type { CampaignDetails } from '../campaigns/campaign-query.service';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import { CampaignExceptionFilter } from './campaign-exception.filter';

/** `POST /campaign/:id/cancel`, `/pause`, `/resume`: answer the campaign as GET does. */
@ApiTags('campaigns')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked token' })
@ApiNotFoundResponse({ description: 'No such campaign in your account' })
@ApiConflictResponse({ description: 'Impossible transition' })
@UseFilters(CampaignExceptionFilter)
@UseGuards(BearerAuthGuard)
export class CampaignLifecycleController {
  constructor(private readonly lifecycle: CampaignLifecycleService) {}

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Cancel: calls not dialing end cancelled; an attempt already dialing finishes and is recorded',
  })
  @ApiOkResponse({ description: 'The cancelled campaign' })
  cancel(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<CampaignDetails> {
    return this.apply(account, id, 'cancel');
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause: no new attempt starts until resume' })
  @ApiOkResponse({ description: 'The paused campaign' })
  pause(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<CampaignDetails> {
    return this.apply(account, id, 'pause');
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resume where it left off; due times already passed mean now',
  })
  @ApiOkResponse({ description: 'The resumed campaign' })
  resume(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<CampaignDetails> {
    return this.apply(account, id, 'resume');
  }

  private async apply(
    account: CampaignAccount,
    id: string,
    action: CampaignAction,
  ): Promise<CampaignDetails> {
    const campaign = await this.lifecycle.apply(account, id, action);
    if (!campaign) throw new NotFoundException('Campaign not found');
    return campaign;
  }
}

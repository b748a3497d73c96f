import {
  Body,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentAccount } from '../auth/current-account.decorator';
import { CampaignCreationService } from '../campaigns/campaign-creation.service';
import {
  CampaignQueryService,
  type CampaignDetails,
} from '../campaigns/campaign-query.service';
import type { CreatedCampaign } from '../campaigns/campaign-response.interface';
import type { NewCampaign } from '../campaigns/new-campaign.interface';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import { PlaybookOwnershipGuard } from '../playbooks/playbook-ownership.guard';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import { CreateCampaignPipe } from './create-campaign.pipe';
import { CreateCampaignDto } from './dto/create-campaign.dto';
import { JsonBodyInterceptor } from './json-body.interceptor';

/**
 * Routes of the module. Not decorated with `@Controller`: the module mounts a
 * subclass at the configured prefix (see `mountController`).
 */
@ApiTags('campaigns')
@ApiBearerAuth()
@UseFilters(CampaignExceptionFilter)
@UseGuards(BearerAuthGuard)
export class CampaignController {
  constructor(
    private readonly campaigns: CampaignCreationService,
    private readonly queries: CampaignQueryService,
  ) {}

  @Post()
  @HttpCode(202)
  @UseGuards(PlaybookOwnershipGuard)
  @UseInterceptors(JsonBodyInterceptor)
  @ApiBody({ type: CreateCampaignDto })
  @ApiAcceptedResponse({ description: 'Campaign accepted' })
  @ApiBadRequestResponse({
    description: 'Invalid data; every failing field is named',
  })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked token' })
  @ApiForbiddenResponse({
    description: 'Playbook not found or not owned by your account',
  })
  @ApiInternalServerErrorResponse({
    description: 'Unexpected error; body has a request_id',
  })
  async create(
    @CurrentAccount() account: CampaignAccount,
    @Body(CreateCampaignPipe) campaign: NewCampaign,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CreatedCampaign> {
    const created = await this.campaigns.create(account, campaign);
    const base = request.originalUrl.split('?')[0].replace(/\/+$/, '');
    response.setHeader('Location', `${base}/${created.campaign_id}`);
    return created;
  }

  @Get(':id')
  @ApiOkResponse({
    description: 'Status of the campaign and counts of its calls',
  })
  @ApiNotFoundResponse({ description: 'No such campaign in your account' })
  async findOne(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<CampaignDetails> {
    const campaign = await this.queries.find(account, id);
    if (!campaign) throw new NotFoundException('Campaign not found');
    return campaign;
  }
}

import {
  Get,
  NotFoundException,
  Param,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentAccount } from '../auth/current-account.decorator';
import { CampaignListService } from '../campaigns/campaign-list.service';
import type {
  CampaignCallSummary,
  CampaignSummary,
  CursorPage,
  ListCampaignCallsOptions,
  ListCampaignsOptions,
} from '../campaigns/campaign-list.types';
import { CALL_STATUSES, CAMPAIGN_STATUSES } from '../entities/campaign-status';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import {
  CALL_LIST_QUERY,
  CAMPAIGN_LIST_QUERY,
} from '../validation/list-queries';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import { CampaignCallPageDto, CampaignPageDto } from './dto/list-responses.dto';
import {
  LIST_CURSOR_QUERY,
  LIST_LIMIT_QUERY,
  ListQueryPipe,
} from './list-query.pipe';

/**
 * Lists of the module: the account's campaigns and a campaign's calls. Not
 * decorated with `@Controller`: mounted at the configured prefix.
 */
@ApiTags('campaigns')
@ApiBearerAuth()
@UseFilters(CampaignExceptionFilter)
@UseGuards(BearerAuthGuard)
export class CampaignListController {
  constructor(private readonly lists: CampaignListService) {}

  @Get()
  @ApiQuery(LIST_LIMIT_QUERY)
  @ApiQuery(LIST_CURSOR_QUERY)
  @ApiQuery({
    name: 'status',
    required: false,
    enum: CAMPAIGN_STATUSES,
    description: 'Only campaigns in this status.',
  })
  @ApiQuery({
    name: 'counts',
    required: false,
    type: Boolean,
    description:
      "`true`: each campaign's `calls` also has `by_status`. Default false.",
  })
  @ApiOkResponse({
    type: CampaignPageDto,
    description: 'Your campaigns, newest first',
  })
  @ApiBadRequestResponse({
    description: 'Invalid or unknown query parameter; each is named',
  })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked token' })
  @ApiInternalServerErrorResponse({
    description: 'Unexpected error; body has a request_id',
  })
  listCampaigns(
    @CurrentAccount() account: CampaignAccount,
    @Query(new ListQueryPipe(CAMPAIGN_LIST_QUERY))
    query: ListCampaignsOptions,
  ): Promise<CursorPage<CampaignSummary>> {
    return this.lists.listCampaigns(account, query);
  }

  @Get(':id/calls')
  @ApiParam({ name: 'id', format: 'uuid', description: 'Campaign id' })
  @ApiQuery(LIST_LIMIT_QUERY)
  @ApiQuery(LIST_CURSOR_QUERY)
  @ApiQuery({
    name: 'status',
    required: false,
    enum: CALL_STATUSES,
    description: 'Only calls in this status.',
  })
  @ApiOkResponse({
    type: CampaignCallPageDto,
    description: 'Calls of the campaign by call id, with their attempts',
  })
  @ApiBadRequestResponse({
    description: 'Invalid or unknown query parameter; each is named',
  })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked token' })
  @ApiNotFoundResponse({ description: 'No such campaign in your account' })
  @ApiInternalServerErrorResponse({
    description: 'Unexpected error; body has a request_id',
  })
  async listCalls(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
    @Query(new ListQueryPipe(CALL_LIST_QUERY))
    query: ListCampaignCallsOptions,
  ): Promise<CursorPage<CampaignCallSummary>> {
    const page = await this.lists.listCalls(account, id, query);
    if (!page) throw new NotFoundException('Campaign not found');
    return page;
  }
}

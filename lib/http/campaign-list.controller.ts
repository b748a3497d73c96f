import {
  Get,
  NotFoundException,
  Param,
  Query,
  UseFilters,
  UseGuards,
  type PipeTransform,
  type Type,
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
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentAccount } from '../auth/current-account.decorator';
import {
  CampaignListService,
  LIST_PAGE_LIMIT,
  type CampaignCallSummary,
  type CampaignSummary,
  type CursorPage,
  type ListCampaignCallsOptions,
  type ListCampaignsOptions,
} from '../campaigns/campaign-list.service';
import { CALL_STATUSES, CAMPAIGN_STATUSES } from '../entities/campaign-status';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import {
  flattenValidationErrors,
  InvalidCampaignRequestException,
  type FieldProblem,
} from '../validation/field-problem';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import { ListCampaignCallsQueryDto } from './dto/list-campaign-calls-query.dto';
import { ListCampaignsQueryDto } from './dto/list-campaigns-query.dto';
import { CampaignCallPageDto, CampaignPageDto } from './dto/list-responses.dto';

/**
 * Checks a list's query string against its DTO: unknown parameters and every
 * failing one named in one 400. Only the known keys reach class-transformer.
 * The handlers type the query with an interface, so that a host's global
 * ValidationPipe leaves it to this pipe (and the module's 400 shape).
 */
class ListQueryPipe<T extends object> implements PipeTransform<
  unknown,
  Promise<T>
> {
  constructor(private readonly dto: Type<T> & { FIELDS: readonly string[] }) {}

  async transform(query: unknown): Promise<T> {
    const given = (
      typeof query === 'object' && query !== null ? query : {}
    ) as Record<string, unknown>;
    const fields = new Set(this.dto.FIELDS);
    const problems: FieldProblem[] = Object.keys(given)
      .filter((key) => !fields.has(key))
      .map((key) => ({ field: key, message: 'is not a known field' }));
    const known = Object.fromEntries(
      this.dto.FIELDS.filter((f) => Object.hasOwn(given, f)).map((f) => [
        f,
        given[f],
      ]),
    );
    const dto = plainToInstance(this.dto, known);
    problems.push(
      ...flattenValidationErrors(
        await validate(dto, {
          forbidUnknownValues: true,
          validationError: { target: false, value: false },
        }),
      ),
    );
    if (problems.length) throw new InvalidCampaignRequestException(problems);
    return dto;
  }
}

const LIMIT_QUERY = {
  name: 'limit',
  required: false,
  schema: {
    type: 'integer',
    minimum: LIST_PAGE_LIMIT.min,
    maximum: LIST_PAGE_LIMIT.max,
    default: LIST_PAGE_LIMIT.default,
  },
  description: 'Items per page.',
} as const;

const CURSOR_QUERY = {
  name: 'cursor',
  required: false,
  type: String,
  description: '`next_cursor` of the previous page (opaque).',
} as const;

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
  @ApiQuery(LIMIT_QUERY)
  @ApiQuery(CURSOR_QUERY)
  @ApiQuery({
    name: 'status',
    required: false,
    enum: CAMPAIGN_STATUSES,
    description: 'Only campaigns in this status.',
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
    @Query(new ListQueryPipe(ListCampaignsQueryDto))
    query: ListCampaignsOptions,
  ): Promise<CursorPage<CampaignSummary>> {
    return this.lists.listCampaigns(account, query);
  }

  @Get(':id/calls')
  @ApiParam({ name: 'id', format: 'uuid', description: 'Campaign id' })
  @ApiQuery(LIMIT_QUERY)
  @ApiQuery(CURSOR_QUERY)
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
    @Query(new ListQueryPipe(ListCampaignCallsQueryDto))
    query: ListCampaignCallsOptions,
  ): Promise<CursorPage<CampaignCallSummary>> {
    const page = await this.lists.listCalls(account, id, query);
    if (!page) throw new NotFoundException('Campaign not found');
    return page;
  }
}

import {
  Get,
  Inject,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentAccount } from '../auth/current-account.decorator';
import {
  CampaignCreationService,
  type CampaignCreationResult,
} from '../campaigns/campaign-creation.service';
import {
  CampaignQueryService,
  type CampaignDetails,
} from '../campaigns/campaign-query.service';
import type { CreatedCampaign } from '../campaigns/campaign-response.interface';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency/idempotency-key.constants';
import { parseIdempotencyKey } from '../idempotency/idempotency-key.rules';
import type {
  ImportedCampaign,
  NewCampaign,
} from '../campaigns/new-campaign.interface';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type {
  CampaignAccount,
  ResolvedCampaignOptions,
} from '../options/campaign-module-options.interface';
import { PlaybookOwnershipGuard } from '../playbooks/playbook-ownership.guard';
import { CampaignBodyGuard } from './campaign-body.guard';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import {
  nodeRequestOf,
  type CampaignRequest,
} from './campaign-request.interface';
import { CampaignBody } from './campaign-body.decorator';
import { CreateCampaignPipe } from './create-campaign.pipe';
import {
  CREATED_CAMPAIGN_EXAMPLES,
  CampaignDetailsResponseDto,
  CreatedCampaignResponseDto,
  ErrorResponseDto,
  ForbiddenResponseDto,
  InternalServerErrorResponseDto,
  InvalidCampaignResponseDto,
  NotFoundResponseDto,
  UnauthorizedResponseDto,
} from './dto/campaign-responses.dto';
import {
  CREATE_CAMPAIGN_EXAMPLES,
  CSV_BODY_DESCRIPTION,
  CSV_BODY_EXAMPLE,
  CreateCampaignDto,
} from './dto/create-campaign.dto';

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
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {}

  @Post()
  @HttpCode(202)
  @UseGuards(CampaignBodyGuard, PlaybookOwnershipGuard)
  @ApiOperation({
    summary: 'Create a campaign',
    description:
      'Creates an outbound call campaign from a playbook and a list of contacts, immediate or scheduled with `launch_at`. In one transaction the contacts are created or updated (by account and E.164 phone), the campaign is created and one call is queued per distinct contact, each with its own copy of the `recall` policy. The whole body is checked before anything is written: one invalid contact rejects the request, and unknown fields are a 400.',
  })
  @ApiExtraModels(CreateCampaignDto)
  @ApiOperation({
    requestBody: {
      required: true,
      description:
        'The campaign to create (seed section 3): a JSON body, or `text/csv` rows of contacts with the campaign fields in the query. Read as a stream, each contact checked as it arrives; up to `maxContactsPerCampaign` contacts within `maxBodyBytes`.',
      content: {
        'application/json': {
          schema: { $ref: getSchemaPath(CreateCampaignDto) },
          examples: CREATE_CAMPAIGN_EXAMPLES,
        },
        'text/csv': {
          schema: {
            type: 'string',
            description: CSV_BODY_DESCRIPTION,
          },
          example: CSV_BODY_EXAMPLE,
        },
      },
    },
  })
  @ApiQuery({
    name: 'playbook_id',
    required: false,
    description: 'CSV bodies only (required with one): the `playbook_id`.',
    schema: { type: 'string', format: 'uuid' },
  })
  @ApiQuery({
    name: 'launch_at',
    required: false,
    description: 'CSV bodies only: `launch_at`, as in the JSON body.',
    schema: { type: 'string', example: '2026-03-01T10:00:00Z' },
  })
  @ApiQuery({
    name: 'recall',
    required: false,
    description:
      'CSV bodies only: the retry delays in minutes separated by commas (`30,120`) or as the JSON array (`[30,120]`, URL-encoded); empty for no retries.',
    schema: { type: 'string', example: '30,120' },
  })
  @ApiQuery({
    name: 'timezone',
    required: false,
    description: 'CSV bodies only: the campaign `timezone`.',
    schema: { type: 'string', example: 'Europe/Madrid' },
  })
  @ApiQuery({
    name: 'calling_window',
    required: false,
    description:
      'CSV bodies only: the `calling_window` object as JSON, URL-encoded.',
    schema: {
      type: 'string',
      example: '{"start":"10:00","end":"18:00","days":[1,2,3,4,5]}',
    },
  })
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description:
      'Optional. Up to 255 printable ASCII characters. The same key and body from the same account within 24 h create nothing and answer the first response again (with `Idempotent-Replayed: true`); the same key with another body is a 409.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
    example: 'crm-export-2026-11-26-0001',
  })
  @ApiAcceptedResponse({
    type: CreatedCampaignResponseDto,
    description:
      'Campaign accepted: `running` when immediate, `scheduled` when `launch_at` was given.',
    headers: {
      Location: {
        description:
          'Path of the new campaign, `/<prefix>/<campaign_id>` (`/campaign/<campaign_id>` by default).',
        schema: {
          type: 'string',
          example: '/campaign/5b0e6a52-8c1d-4e3f-9a7b-2c4d6e8f0a1b',
        },
      },
      'Idempotent-Replayed': {
        description:
          'Present (`true`) when the answer is a replay of an earlier request with the same `Idempotency-Key`; nothing was created.',
        schema: { type: 'string', enum: ['true'] },
      },
    },
    examples: CREATED_CAMPAIGN_EXAMPLES,
  })
  @ApiBadRequestResponse({
    type: InvalidCampaignResponseDto,
    description:
      'Invalid data (missing playbook_id, empty contacts, a contact without a valid phone, an unknown field or column...), malformed JSON or CSV, or an invalid Idempotency-Key header; every failing field is named, for the first 100 failing contacts (`invalid_contacts` counts them all).',
  })
  @ApiUnauthorizedResponse({
    type: UnauthorizedResponseDto,
    description:
      'Missing, malformed, unknown or revoked Bearer token; checked before the body.',
    headers: {
      'WWW-Authenticate': {
        description:
          '`Bearer`, or `Bearer error="invalid_token"` for a token that names no account.',
        schema: { type: 'string', example: 'Bearer' },
      },
    },
  })
  @ApiForbiddenResponse({
    type: ForbiddenResponseDto,
    description:
      'Playbook not found or not owned by your account (one body for both).',
  })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description:
      'Idempotency-Key already used for a different request in the last 24 h.',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description: 'Body over the module `maxBodyBytes` (16 MiB by default).',
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorResponseDto,
    description:
      'Content-Type is neither application/json nor text/csv (or a charset other than UTF-8).',
  })
  @ApiInternalServerErrorResponse({
    type: InternalServerErrorResponseDto,
    description:
      'Unexpected error: a generic body with a request id, no detail; the detail is logged under that id.',
    headers: {
      'X-Request-Id': {
        description: 'The `request_id` of the body.',
        schema: { type: 'string' },
      },
    },
  })
  async create(
    @CurrentAccount() account: CampaignAccount,
    @CampaignBody(CreateCampaignPipe) campaign: NewCampaign | ImportedCampaign,
    @Req() request: CampaignRequest,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<CreatedCampaign> {
    let result: CampaignCreationResult;
    try {
      // After the body's 400: a request is checked whole before its key counts.
      const idempotencyKey = parseIdempotencyKey(
        nodeRequestOf(request).headersDistinct['idempotency-key'],
      );
      result = await this.campaigns.createOrReplay(account, campaign, {
        idempotencyKey,
        playbook: request.campaignPlaybook,
      });
    } finally {
      if (!Array.isArray(campaign.contacts)) await campaign.contacts.dispose();
    }
    const { campaign: created, replayed } = result;
    // From configuration only, never from the request line or Host header.
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(
      response,
      'Location',
      `/${this.options.routePrefix}/${created.campaign_id}`,
    );
    if (replayed) adapter.setHeader(response, 'Idempotent-Replayed', 'true');
    return created;
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a campaign',
    description:
      'Status, launch and recall policy, timestamps and the counts of its calls by status.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Campaign id' })
  @ApiOkResponse({
    type: CampaignDetailsResponseDto,
    description: 'Status of the campaign and counts of its calls',
  })
  @ApiUnauthorizedResponse({
    type: UnauthorizedResponseDto,
    description: 'Missing, malformed, unknown or revoked Bearer token.',
    headers: {
      'WWW-Authenticate': {
        description: '`Bearer`, or `Bearer error="invalid_token"`.',
        schema: { type: 'string', example: 'Bearer' },
      },
    },
  })
  @ApiNotFoundResponse({
    type: NotFoundResponseDto,
    description:
      "No such campaign in your account (also for a malformed id or another account's campaign).",
  })
  @ApiInternalServerErrorResponse({
    type: InternalServerErrorResponseDto,
    description: 'Unexpected error; the body has a request_id.',
  })
  async findOne(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<CampaignDetails> {
    const campaign = await this.queries.find(account, id);
    if (!campaign) throw new NotFoundException('Campaign not found');
    return campaign;
  }
}

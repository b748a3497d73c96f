import {
  Body,
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
  ApiBody,
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
import { CreateCampaignPipe } from './create-campaign.pipe';
import {
  CREATED_CAMPAIGN_EXAMPLES,
  CampaignDetailsResponseDto,
  CreatedCampaignResponseDto,
  ErrorResponseDto,
  ForbiddenResponseDto,
  InternalServerErrorResponseDto,
  NotFoundResponseDto,
  UnauthorizedResponseDto,
} from './dto/campaign-responses.dto';
import {
  CREATE_CAMPAIGN_EXAMPLES,
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
  @ApiBody({
    required: true,
    description: 'The campaign to create (seed section 3).',
    schema: { $ref: getSchemaPath(CreateCampaignDto) },
    examples: CREATE_CAMPAIGN_EXAMPLES,
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
    type: ErrorResponseDto,
    description:
      'Invalid data (missing playbook_id, empty contacts, a contact without a valid phone, an unknown field...), malformed JSON, or an invalid Idempotency-Key header; every failing field is named.',
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
    description: 'Body over the JSON parser limit (16 MB by default).',
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorResponseDto,
    description: 'Content-Type is not application/json.',
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
    @Body(CreateCampaignPipe) campaign: NewCampaign | ImportedCampaign,
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

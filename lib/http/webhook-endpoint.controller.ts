import {
  Body,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentAccount } from '../auth/current-account.decorator';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import type {
  CreateWebhookEndpointInput,
  ListWebhookDeliveriesOptions,
  UpdateWebhookEndpointInput,
  WebhookDeliveryInfo,
  WebhookDeliveryPage,
  WebhookEndpointInfo,
  WebhookEndpointWithSecret,
} from '../webhooks/webhook-endpoint.interface';
import { WebhookEndpointService } from '../webhooks/webhook-endpoint.service';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import { ErrorResponseDto } from './dto/campaign-responses.dto';
import { WEBHOOK_DELIVERY_LIST_QUERY } from '../validation/list-queries';
import { WEBHOOK_DELIVERY_STATUSES } from '../webhooks/webhook-endpoint.interface';
import {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookEndpointDto,
  WebhookEndpointListDto,
  WebhookEndpointWithSecretDto,
} from './dto/webhook-endpoint.dto';
import {
  LIST_CURSOR_QUERY,
  LIST_LIMIT_QUERY,
  ListQueryPipe,
} from './list-query.pipe';
import { WebhookBodyGuard } from './webhook-body.guard';
import { WebhookBodyPipe } from './webhook-body.pipe';

const notFound = () => new NotFoundException('Webhook endpoint not found');

/** The account's webhook endpoints, under `/<prefix>/webhook-endpoints`. */
@ApiTags('webhooks')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked token' })
@UseFilters(CampaignExceptionFilter)
@UseGuards(BearerAuthGuard)
export class WebhookEndpointController {
  constructor(private readonly endpoints: WebhookEndpointService) {}

  @Post('webhook-endpoints')
  @HttpCode(201)
  @UseGuards(WebhookBodyGuard)
  @ApiOperation({
    summary: 'Register an endpoint',
    description:
      'The answer carries the signing secret, the only time it is shown. The URL must be https and resolve to public addresses only (unless the server allows otherwise).',
  })
  @ApiBody({ type: CreateWebhookEndpointDto })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'Invalid field (each is named), e.g. `url` refused',
  })
  @ApiConflictResponse({ description: 'Too many endpoints in the account' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not application/json' })
  create(
    @CurrentAccount() account: CampaignAccount,
    @Body(new WebhookBodyPipe(CreateWebhookEndpointDto))
    body: CreateWebhookEndpointInput,
  ): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.create(account.id, body);
  }

  @Get('webhook-endpoints')
  @ApiOkResponse({ type: WebhookEndpointListDto })
  async list(
    @CurrentAccount() account: CampaignAccount,
  ): Promise<{ data: WebhookEndpointInfo[] }> {
    return { data: await this.endpoints.list(account.id) };
  }

  @Get('webhook-endpoints/:id')
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: 'No such endpoint in your account' })
  async get(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<WebhookEndpointInfo> {
    return (await this.endpoints.get(account.id, id)) ?? throwNotFound();
  }

  @Patch('webhook-endpoints/:id')
  @UseGuards(WebhookBodyGuard)
  @ApiOperation({
    summary: 'Change an endpoint; `enabled: true` re-enables it',
  })
  @ApiBody({ type: UpdateWebhookEndpointDto })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ description: 'No such endpoint in your account' })
  async update(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
    @Body(new WebhookBodyPipe(UpdateWebhookEndpointDto, true))
    body: UpdateWebhookEndpointInput,
  ): Promise<WebhookEndpointInfo> {
    return (
      (await this.endpoints.update(account.id, id, body)) ?? throwNotFound()
    );
  }

  @Delete('webhook-endpoints/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted, with its delivery log' })
  @ApiNotFoundResponse({ description: 'No such endpoint in your account' })
  async remove(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<void> {
    if (!(await this.endpoints.remove(account.id, id))) throw notFound();
  }

  @Post('webhook-endpoints/:id/enable')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Re-enable: pending deliveries, and those failed during the failing stretch, go again now',
  })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: 'No such endpoint in your account' })
  async enable(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<WebhookEndpointInfo> {
    return (await this.endpoints.enable(account.id, id)) ?? throwNotFound();
  }

  @Post('webhook-endpoints/:id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret, used from the next try on' })
  @ApiOkResponse({ type: WebhookEndpointWithSecretDto })
  @ApiNotFoundResponse({ description: 'No such endpoint in your account' })
  async rotateSecret(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
  ): Promise<WebhookEndpointWithSecret> {
    return (
      (await this.endpoints.rotateSecret(account.id, id)) ?? throwNotFound()
    );
  }

  @Get('webhook-endpoints/:id/deliveries')
  @ApiOperation({
    summary: 'The delivery log: deliveries, newest first, with every try',
  })
  @ApiQuery(LIST_LIMIT_QUERY)
  @ApiQuery(LIST_CURSOR_QUERY)
  @ApiQuery({
    name: 'status',
    required: false,
    enum: WEBHOOK_DELIVERY_STATUSES,
  })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ description: 'No such endpoint in your account' })
  async deliveries(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
    @Query(new ListQueryPipe(WEBHOOK_DELIVERY_LIST_QUERY))
    query: ListWebhookDeliveriesOptions,
  ): Promise<WebhookDeliveryPage> {
    return (
      (await this.endpoints.listDeliveries(account.id, id, {
        limit: query.limit,
        cursor: query.cursor,
        status: query.status,
      })) ?? throwNotFound()
    );
  }

  @Post('webhook-endpoints/:id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Send the event again: a new delivery with the same webhook-id and body, due now',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  @ApiNotFoundResponse({ description: 'No such endpoint or delivery' })
  @ApiConflictResponse({ description: 'The endpoint is disabled' })
  async redeliver(
    @CurrentAccount() account: CampaignAccount,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryInfo> {
    const delivery = await this.endpoints.redeliver(account.id, id, deliveryId);
    if (!delivery) {
      throw new NotFoundException('Webhook endpoint or delivery not found');
    }
    return delivery;
  }
}

function throwNotFound(): never {
  throw notFound();
}

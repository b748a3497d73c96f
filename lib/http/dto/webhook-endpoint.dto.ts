import { applyDecorators } from '@nestjs/common';
import {
  ApiProperty,
  ApiPropertyOptional,
  type ApiPropertyOptions,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { DURABLE_CAMPAIGN_EVENT_TYPES } from '../../events/campaign-event-fanout.interface';
import type { DurableCampaignEventType } from '../../events/campaign-event-fanout.interface';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_LIMITS,
  type WebhookDeliveryInfo,
  type WebhookDeliveryPage,
  type WebhookDeliveryStatus,
  type WebhookDisabledReason,
  type WebhookEndpointInfo,
  type WebhookEndpointWithSecret,
  type WebhookTryInfo,
} from '../../webhooks/webhook-endpoint.interface';
import { WEBHOOK_URL_MAX_LENGTH } from '../../webhooks/webhook-url.policy';

const EVENTS_PROPERTY: ApiPropertyOptions = {
  type: [String],
  enum: DURABLE_CAMPAIGN_EVENT_TYPES,
  description: 'Event types to send. Default (on create): all of them.',
  example: ['campaign.completed', 'call.finished'],
};

/** `events`: the event types an endpoint receives (create and update). */
const EventTypesField = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional(EVENTS_PROPERTY),
    IsOptional(),
    IsArray(),
    ArrayNotEmpty(),
    ArrayMaxSize(DURABLE_CAMPAIGN_EVENT_TYPES.length),
    IsIn(DURABLE_CAMPAIGN_EVENT_TYPES, { each: true }),
  );

/** `description`: free text or null (create and update). */
const DescriptionField = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      maxLength: WEBHOOK_LIMITS.descriptionMaxLength,
    }),
    IsOptional(),
    ValidateIf((_, value) => value !== null),
    IsString(),
    MaxLength(WEBHOOK_LIMITS.descriptionMaxLength),
  );

/** Body of `POST /<prefix>/webhook-endpoints`. */
export class CreateWebhookEndpointDto {
  static readonly FIELDS = ['url', 'events', 'description'] as const;

  @ApiProperty({
    description:
      'https URL that receives the events (http and non-public addresses only where the server allows them).',
    maxLength: WEBHOOK_URL_MAX_LENGTH,
    example: 'https://crm.example.com/hooks/calls',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url!: string;

  @EventTypesField()
  events?: DurableCampaignEventType[];

  @DescriptionField()
  description?: string | null;
}

/** Body of `PATCH /<prefix>/webhook-endpoints/:id`: at least one field. */
export class UpdateWebhookEndpointDto {
  static readonly FIELDS = ['url', 'events', 'description', 'enabled'] as const;

  @ApiPropertyOptional({
    maxLength: WEBHOOK_URL_MAX_LENGTH,
    description: 'A new URL, checked as on create.',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url?: string;

  @EventTypesField()
  events?: DurableCampaignEventType[];

  @DescriptionField()
  description?: string | null;

  @ApiPropertyOptional({
    description:
      '`true` re-enables a disabled endpoint (its waiting deliveries go again now); `false` disables it.',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

const TIME: ApiPropertyOptions = { type: String, format: 'date-time' };
const NULLABLE_TIME: ApiPropertyOptions = { ...TIME, nullable: true };

export class WebhookEndpointDto implements WebhookEndpointInfo {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: [String], enum: DURABLE_CAMPAIGN_EVENT_TYPES })
  events!: DurableCampaignEventType[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty(NULLABLE_TIME) disabled_at!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['manual', 'failing', 'gone'],
  })
  disabled_reason!: WebhookDisabledReason | null;
  @ApiProperty({
    ...NULLABLE_TIME,
    description: 'Since when every try failed; null after a success.',
  })
  failing_since!: string | null;
  @ApiProperty({
    description: 'The start of the secret, to tell secrets apart.',
    example: 'whsec_MfKQ…',
  })
  secret_hint!: string;
  @ApiProperty(TIME) created_at!: string;
  @ApiProperty(TIME) updated_at!: string;
}

export class WebhookEndpointWithSecretDto
  extends WebhookEndpointDto
  implements WebhookEndpointWithSecret
{
  @ApiProperty({
    description:
      'The signing secret (`whsec_` + base64): shown in this answer only.',
  })
  secret!: string;
}

export class WebhookEndpointListDto {
  @ApiProperty({ type: [WebhookEndpointDto] }) data!: WebhookEndpointDto[];
}

export class WebhookTryDto implements WebhookTryInfo {
  @ApiProperty() attempt!: number;
  @ApiProperty(TIME) attempted_at!: string;
  @ApiProperty({
    enum: [
      'success',
      'http_error',
      'redirect',
      'timeout',
      'network',
      'blocked',
    ],
  })
  result!: string;
  @ApiProperty({ type: Number, nullable: true }) status_code!: number | null;
  @ApiProperty() latency_ms!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class WebhookDeliveryDto implements WebhookDeliveryInfo {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    format: 'uuid',
    description: 'The `webhook-id` header of every try.',
  })
  event_id!: string;
  @ApiProperty() event_type!: string;
  @ApiProperty() sequence!: number;
  @ApiProperty({ format: 'uuid' }) campaign_id!: string;
  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATUSES })
  status!: WebhookDeliveryStatus;
  @ApiProperty() attempts!: number;
  @ApiProperty(NULLABLE_TIME) next_attempt_at!: string | null;
  @ApiProperty(NULLABLE_TIME) last_attempt_at!: string | null;
  @ApiProperty({ type: Number, nullable: true })
  last_status_code!: number | null;
  @ApiProperty({ type: String, nullable: true }) last_error!: string | null;
  @ApiProperty(NULLABLE_TIME) delivered_at!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  redelivery_of!: string | null;
  @ApiProperty(TIME) created_at!: string;
  @ApiProperty({ type: [WebhookTryDto] }) tries!: WebhookTryDto[];
}

export class WebhookDeliveryPageDto implements WebhookDeliveryPage {
  @ApiProperty({ type: [WebhookDeliveryDto] }) data!: WebhookDeliveryDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

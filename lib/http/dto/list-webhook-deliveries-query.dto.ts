import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { LIST_QUERY_MESSAGES } from '../../campaigns/campaign-list.service';
import { decodeDeliveryCursor } from '../../webhooks/webhook-delivery.cursor';
import {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliveryStatus,
} from '../../webhooks/webhook-endpoint.interface';
import { IsListCursor, ListPageQueryDto } from './list-page-query.dto';

/** Query of `GET /<prefix>/webhook-endpoints/:id/deliveries`. */
export class ListWebhookDeliveriesQueryDto extends ListPageQueryDto {
  static readonly FIELDS = ['limit', 'cursor', 'status'] as const;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsListCursor(decodeDeliveryCursor)
  cursor?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES, {
    message: LIST_QUERY_MESSAGES.status(WEBHOOK_DELIVERY_STATUSES),
  })
  status?: WebhookDeliveryStatus;
}

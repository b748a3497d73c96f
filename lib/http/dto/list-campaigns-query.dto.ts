import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { LIST_QUERY_MESSAGES } from '../../campaigns/campaign-list.service';
import { decodeCampaignCursor } from '../../database/cursor';
import {
  CAMPAIGN_STATUSES,
  type CampaignStatus,
} from '../../entities/campaign-status';
import { IsListCursor, ListPageQueryDto } from './list-page-query.dto';

/** Query of `GET /campaign`. */
export class ListCampaignsQueryDto extends ListPageQueryDto {
  static readonly FIELDS = ['limit', 'cursor', 'status', 'counts'] as const;

  @ApiPropertyOptional({
    type: String,
    description: '`next_cursor` of the previous page (opaque).',
  })
  @IsOptional()
  @IsListCursor(decodeCampaignCursor)
  cursor?: string;

  @ApiPropertyOptional({
    enum: CAMPAIGN_STATUSES,
    description: 'Only campaigns in this status.',
  })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES, {
    message: LIST_QUERY_MESSAGES.status(CAMPAIGN_STATUSES),
  })
  status?: CampaignStatus;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      "`true`: each campaign's `calls` also has `by_status` (its calls counted by status, as in `GET /campaign/:id`).",
  })
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsOptional()
  @IsBoolean({ message: LIST_QUERY_MESSAGES.counts })
  counts?: boolean;
}

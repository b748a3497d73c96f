import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { LIST_QUERY_MESSAGES } from '../../campaigns/campaign-list.service';
import { decodeCallCursor } from '../../database/cursor';
import { CALL_STATUSES, type CallStatus } from '../../entities/campaign-status';
import { IsListCursor, ListPageQueryDto } from './list-page-query.dto';

/** Query of `GET /campaign/:id/calls`. */
export class ListCampaignCallsQueryDto extends ListPageQueryDto {
  static readonly FIELDS = ['limit', 'cursor', 'status'] as const;

  @ApiPropertyOptional({
    type: String,
    description: '`next_cursor` of the previous page (opaque).',
  })
  @IsOptional()
  @IsListCursor(decodeCallCursor)
  cursor?: string;

  @ApiPropertyOptional({
    enum: CALL_STATUSES,
    description: 'Only calls in this status.',
  })
  @IsOptional()
  @IsIn(CALL_STATUSES, { message: LIST_QUERY_MESSAGES.status(CALL_STATUSES) })
  status?: CallStatus;
}

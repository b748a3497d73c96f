import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { decodeDoNotCallCursor } from '../../do-not-call/do-not-call.service';
import { IsListCursor, ListPageQueryDto } from './list-page-query.dto';

/** Query of `GET /campaign/do-not-call`. */
export class ListDoNotCallQueryDto extends ListPageQueryDto {
  static readonly FIELDS = ['limit', 'cursor'] as const;

  @ApiPropertyOptional({
    type: String,
    description:
      '`next_cursor` of the previous page: the last phone it listed, E.164 (URL-encode the +).',
    example: '+34612345678',
  })
  @IsOptional()
  @IsListCursor(decodeDoNotCallCursor)
  cursor?: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy } from 'class-validator';
import {
  LIST_PAGE_LIMIT,
  LIST_QUERY_MESSAGES,
} from '../../campaigns/campaign-list.service';

const DIGITS = /^\d{1,9}$/;

/** `limit`: a whole number of decimal digits from 1 to 200 (no `1.0`, `1e2`, `0x10`). */
function IsPageLimit(): PropertyDecorator {
  return ValidateBy({
    name: 'isPageLimit',
    validator: {
      validate: (value: unknown) =>
        Number.isInteger(value) &&
        (value as number) >= LIST_PAGE_LIMIT.min &&
        (value as number) <= LIST_PAGE_LIMIT.max,
      defaultMessage: () => LIST_QUERY_MESSAGES.limit,
    },
  });
}

/** A cursor that `decode` accepts. */
export function IsListCursor(decode: (value: unknown) => unknown) {
  return ValidateBy({
    name: 'isListCursor',
    validator: {
      validate: (value: unknown) => decode(value) !== null,
      defaultMessage: () => LIST_QUERY_MESSAGES.cursor,
    },
  });
}

/** Query parameters every list takes. */
export abstract class ListPageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: LIST_PAGE_LIMIT.min,
    maximum: LIST_PAGE_LIMIT.max,
    default: LIST_PAGE_LIMIT.default,
    description: 'Items per page.',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && DIGITS.test(value) ? Number(value) : value,
  )
  @IsOptional()
  @IsPageLimit()
  limit?: number;
}

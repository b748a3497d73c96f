import type { PipeTransform, Type } from '@nestjs/common';
import type { ApiQueryOptions } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { LIST_PAGE_LIMIT } from '../campaigns/campaign-list.service';
import {
  flattenValidationErrors,
  InvalidCampaignRequestException,
  type FieldProblem,
} from '../validation/field-problem';

/**
 * Checks a list's query string against its DTO, the same way for every list
 * route (campaigns, calls, do-not-call): unknown parameters and every failing
 * one named in one 400, with the messages of `LIST_QUERY_MESSAGES`. Only the
 * known keys reach class-transformer. The handlers type the query with an
 * interface, so that a host's global ValidationPipe leaves it to this pipe
 * (and the module's 400 shape).
 */
export class ListQueryPipe<T extends object> implements PipeTransform<
  unknown,
  Promise<T>
> {
  private readonly fields: ReadonlySet<string>;

  constructor(private readonly dto: Type<T> & { FIELDS: readonly string[] }) {
    this.fields = new Set(dto.FIELDS);
  }

  async transform(query: unknown): Promise<T> {
    const given = (
      typeof query === 'object' && query !== null ? query : {}
    ) as Record<string, unknown>;
    const problems: FieldProblem[] = Object.keys(given)
      .filter((key) => !this.fields.has(key))
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

/** OpenAPI of the `limit` every list takes. */
export const LIST_LIMIT_QUERY = {
  name: 'limit',
  required: false,
  schema: {
    type: 'integer',
    minimum: LIST_PAGE_LIMIT.min,
    maximum: LIST_PAGE_LIMIT.max,
    default: LIST_PAGE_LIMIT.default,
  },
  description: 'Items per page.',
} as const satisfies ApiQueryOptions;

/** OpenAPI of the `cursor` every list takes. */
export const LIST_CURSOR_QUERY = {
  name: 'cursor',
  required: false,
  type: String,
  description: '`next_cursor` of the previous page (opaque).',
} as const satisfies ApiQueryOptions;

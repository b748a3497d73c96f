import type { PipeTransform } from '@nestjs/common';
import type { ApiQueryOptions } from '@nestjs/swagger';
import {
  LIST_PAGE_LIMIT,
  parseListQuery,
  type ListQuerySpec,
} from '../validation/list-query.parser';

/** A list's checked query: the service's options. */
export type ListQueryOptions<P> = Partial<P> & {
  limit: number;
  cursor?: string;
};

/**
 * Checks a list's query string with the lists' one parser, the same way for
 * every list route (campaigns, calls, do-not-call): unknown parameters and
 * every failing one named in one 400. The handlers type the query with an
 * interface, so that a host's global ValidationPipe leaves it to this pipe
 * (and the module's 400 shape).
 */
export class ListQueryPipe<C, P extends object> implements PipeTransform<
  unknown,
  ListQueryOptions<P>
> {
  constructor(private readonly spec: ListQuerySpec<C, P>) {}

  transform(query: unknown): ListQueryOptions<P> {
    const given = (
      typeof query === 'object' && query !== null ? query : {}
    ) as Record<string, unknown>;
    const { limit, params } = parseListQuery(this.spec, given, true);
    // Checked: a string the list's cursor decoder took.
    const cursor = given.cursor as string | undefined;
    return { ...params, limit, ...(cursor !== undefined && { cursor }) };
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

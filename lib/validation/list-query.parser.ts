import { UNKNOWN_FIELD } from './create-campaign.rules';
import {
  InvalidCampaignRequestException,
  type FieldProblem,
} from './field-problem';
import { parsed, rejected, type ParseResult } from './parse-result';

/** Page size of the lists: `limit` defaults to 50, at most 200. */
export const LIST_PAGE_LIMIT = { default: 50, min: 1, max: 200 } as const;

export const LIST_QUERY_MESSAGES = {
  limit: `must be an integer from ${LIST_PAGE_LIMIT.min} to ${LIST_PAGE_LIMIT.max}`,
  cursor: 'is not a valid cursor',
  flag: 'must be true or false',
  status: (statuses: readonly string[]) =>
    `must be one of: ${statuses.join(', ')}`,
} as const;

/** Reads one more parameter of a list (a filter such as `status`). */
export type ListParam<T> = (value: unknown) => ParseResult<T>;

/** What a list takes besides `limit`: its cursor and its other parameters. */
export interface ListQuerySpec<C, P extends object> {
  /** The cursor's position, or null when `value` is not one of this list's cursors. */
  decodeCursor(value: unknown): C | null;
  params: { [K in keyof P]-?: ListParam<P[K]> };
}

export interface ListQuery<C, P> {
  limit: number;
  cursor: C | null;
  params: Partial<P>;
}

/** A parameter that must be one of `values`. */
export function oneOf<T extends string>(values: readonly T[]): ListParam<T> {
  const message = LIST_QUERY_MESSAGES.status(values);
  return (value) =>
    values.includes(value as T) ? parsed(value as T) : rejected(message);
}

/** A yes/no parameter: a boolean, or `true`/`false` in a query string. */
export function flag(): ListParam<boolean> {
  return (value) =>
    value === true || value === 'true'
      ? parsed(true)
      : value === false || value === 'false'
        ? parsed(false)
        : rejected(LIST_QUERY_MESSAGES.flag);
}

// A whole number of decimal digits (no `1.0`, `1e2`, `0x10`, ` 5`).
const DIGITS = /^\d{1,9}$/;

/**
 * The one pagination parser of every list (campaigns, calls, do-not-call),
 * for the HTTP query (`fromQueryString`: unknown keys are refused and
 * `limit` is a string of digits) and for the services' direct callers.
 * Throws one 400 naming every failing parameter: unknown ones, then
 * `limit`, `cursor` and the others.
 */
export function parseListQuery<C, P extends object>(
  spec: ListQuerySpec<C, P>,
  input: Record<string, unknown>,
  fromQueryString = false,
): ListQuery<C, P> {
  const names = Object.keys(spec.params) as (keyof P & string)[];
  const problems: FieldProblem[] = [];
  if (fromQueryString) {
    const known = new Set<string>(['limit', 'cursor', ...names]);
    for (const key of Object.keys(input)) {
      if (!known.has(key))
        problems.push({ field: key, message: UNKNOWN_FIELD });
    }
  }
  const given = (key: string): unknown =>
    Object.hasOwn(input, key) ? input[key] : undefined;

  let limit = given('limit');
  if (limit === undefined) limit = LIST_PAGE_LIMIT.default;
  if (fromQueryString && typeof limit === 'string' && DIGITS.test(limit)) {
    limit = Number(limit);
  }
  const limitOk =
    Number.isInteger(limit) &&
    (limit as number) >= LIST_PAGE_LIMIT.min &&
    (limit as number) <= LIST_PAGE_LIMIT.max;
  if (!limitOk) {
    problems.push({ field: 'limit', message: LIST_QUERY_MESSAGES.limit });
  }
  const rawCursor = given('cursor');
  const cursor = rawCursor === undefined ? null : spec.decodeCursor(rawCursor);
  if (rawCursor !== undefined && cursor === null) {
    problems.push({ field: 'cursor', message: LIST_QUERY_MESSAGES.cursor });
  }
  const params: Partial<P> = {};
  for (const name of names) {
    const value = given(name);
    if (value === undefined) continue;
    const result = spec.params[name](value);
    if (result.ok) params[name] = result.value;
    else problems.push({ field: name, message: result.error });
  }
  if (problems.length) throw new InvalidCampaignRequestException(problems);
  return { limit: limit as number, cursor, params };
}

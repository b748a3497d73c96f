import {
  CALL_LIST_QUERY,
  CAMPAIGN_LIST_QUERY,
  DO_NOT_CALL_LIST_QUERY,
} from '../../lib/validation/list-queries';
import {
  LIST_PAGE_LIMIT,
  parseListQuery,
} from '../../lib/validation/list-query.parser';
import { encodeCallCursor } from '../../lib/database/cursor';

const LIMIT = { field: 'limit', message: 'must be an integer from 1 to 200' };
const CURSOR = { field: 'cursor', message: 'is not a valid cursor' };

/** The `errors` of the 400 the parser throws, or the parsed query. */
function read(
  input: Record<string, unknown>,
  fromQueryString = false,
  spec: Parameters<typeof parseListQuery>[0] = DO_NOT_CALL_LIST_QUERY,
): unknown {
  try {
    return parseListQuery(spec, input, fromQueryString);
  } catch (error) {
    return (error as { response: { errors: unknown } }).response.errors;
  }
}

describe('parseListQuery', () => {
  it('defaults limit to 50 and cursor to null', () => {
    expect(read({})).toEqual({
      limit: LIST_PAGE_LIMIT.default,
      cursor: null,
      params: {},
    });
  });

  it.each([0, 201, 1.5, '5', null, NaN])(
    'refuses the limit %p from a direct caller',
    (limit) => {
      expect(read({ limit })).toEqual([LIMIT]);
    },
  );

  it.each([
    ['007', 7],
    ['200', 200],
  ])('reads the query-string limit %p', (limit, value) => {
    expect(read({ limit }, true)).toMatchObject({ limit: value });
  });

  it.each(['1e2', '0x10', ' 5', '1.0', '', '-1', '9999999999', ['1', '2']])(
    'refuses the query-string limit %p',
    (limit) => {
      expect(read({ limit }, true)).toEqual([LIMIT]);
    },
  );

  it("decodes the list's own cursor and refuses another list's", () => {
    const id = '3f2b8c1e-7d4a-4e9b-8c21-5a6d7e8f9a0b';
    const cursor = encodeCallCursor({ id });
    expect(read({ cursor }, false, CALL_LIST_QUERY)).toMatchObject({
      cursor: { id },
    });
    expect(read({ cursor }, false, CAMPAIGN_LIST_QUERY)).toEqual([CURSOR]);
    expect(read({ cursor: '+34612345678' })).toMatchObject({
      cursor: '+34612345678',
    });
    expect(read({ cursor: '' })).toEqual([CURSOR]);
  });

  it('reads the other parameters by their rule', () => {
    expect(read({ status: 'queued' }, true, CALL_LIST_QUERY)).toMatchObject({
      params: { status: 'queued' },
    });
    expect(read({ status: 'queued' }, true, CAMPAIGN_LIST_QUERY)).toEqual([
      {
        field: 'status',
        message: expect.stringMatching(/^must be one of: .*scheduled/),
      },
    ]);
  });

  it('names unknown keys of a query string first, then limit, cursor and the others', () => {
    expect(
      read(
        { status: 'x', cursor: 'x', limit: '0', offset: '1' },
        true,
        CALL_LIST_QUERY,
      ),
    ).toEqual([
      { field: 'offset', message: 'is not a known field' },
      LIMIT,
      CURSOR,
      { field: 'status', message: expect.stringMatching(/^must be one of/) },
    ]);
    // A direct caller's other options are not the parser's business.
    expect(read({ counts: true })).toMatchObject({ limit: 50 });
  });
});

/** The outcome of reading one client value: the value, or why it is wrong. */
export type ParseResult<T> =
  { ok: true; value: T } | { ok: false; error: string };

export const parsed = <T>(value: T): ParseResult<T> => ({ ok: true, value });
export const rejected = <T>(error: string): ParseResult<T> => ({
  ok: false,
  error,
});

/** Small statistics and markdown tables for the reports. */
export const min = (values: number[]): number =>
  values.length ? Math.min(...values) : NaN;

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : 'n/a';

/** "min / median" of the runs. */
export const minMedian = (values: number[], digits = 0): string =>
  values.length
    ? `${fmt(min(values), digits)} / ${fmt(median(values), digits)}`
    : 'n/a';

/** "best / median" for throughputs, where larger is better. */
export const maxMedian = (values: number[], digits = 0): string =>
  values.length
    ? `${fmt(Math.max(...values), digits)} / ${fmt(median(values), digits)}`
    : 'n/a';

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join(
    '\n',
  );
}

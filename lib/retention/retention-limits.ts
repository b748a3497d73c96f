/** Campaigns (and calls) one retention transaction deletes by default. */
export const RETENTION_DEFAULT_BATCH_SIZE = 500;

/** Milliseconds between runs of the retention job by default (1 h). */
export const RETENTION_DEFAULT_EVERY_MS = 60 * 60_000;

/** Largest batch: its ids are bind parameters (SQLite allows 32 766 per statement). */
export const RETENTION_MAX_BATCH_SIZE = 5_000;

/** Longest `setInterval` delay; a larger one fires at once, every millisecond. */
export const RETENTION_MAX_EVERY_MS = 2 ** 31 - 1;

/** What a purge is asked for, as checked by both the service and the options. */
export interface RetentionLimitsInput {
  olderThanDays: number;
  batchSize?: number;
  maxBatches?: number;
}

/** The problems of a purge request, each naming its field after `prefix`. */
export function retentionProblems(
  input: RetentionLimitsInput,
  prefix = '',
): string[] {
  const problems: string[] = [];
  const positive = (name: string, value: unknown): void => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      problems.push(`${prefix}${name} must be a positive integer`);
    }
  };
  positive('olderThanDays', input.olderThanDays);
  if (input.batchSize !== undefined) {
    positive('batchSize', input.batchSize);
    if (input.batchSize > RETENTION_MAX_BATCH_SIZE) {
      problems.push(
        `${prefix}batchSize must be at most ${RETENTION_MAX_BATCH_SIZE} (SQLite's bind-parameter limit)`,
      );
    }
  }
  if (input.maxBatches !== undefined) positive('maxBatches', input.maxBatches);
  return problems;
}

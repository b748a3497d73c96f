import type { RecallLimits } from '../options/campaign-module-options.interface';
import { parsed, rejected, type ParseResult } from './parse-result';

/**
 * Reads `recall`: an array of minutes or that array as a JSON string.
 * Absent means no retries.
 */
export function parseRecall(
  input: unknown,
  limits: Required<RecallLimits>,
): ParseResult<number[]> {
  if (input === undefined || input === null) return parsed([]);
  let list: unknown = input;
  if (typeof input === 'string') {
    try {
      list = JSON.parse(input);
    } catch {
      return rejected(
        `must be an array of minutes such as [30,120], or that array as a JSON string`,
      );
    }
  }
  if (!Array.isArray(list)) {
    return rejected(
      'must be an array of minutes such as [30,120], or that array as a JSON string',
    );
  }
  if (list.length > limits.maxEntries) {
    return rejected(`must have at most ${limits.maxEntries} entries`);
  }
  for (let i = 0; i < list.length; i++) {
    const minutes: unknown = list[i];
    if (
      typeof minutes !== 'number' ||
      !Number.isInteger(minutes) ||
      minutes < 1 ||
      minutes > limits.maxMinutes
    ) {
      return rejected(
        `entry ${i} must be a whole number of minutes from 1 to ${limits.maxMinutes}`,
      );
    }
    if (i > 0 && minutes <= (list[i - 1] as number)) {
      return rejected('delays must be strictly increasing');
    }
  }
  return parsed(list as number[]);
}

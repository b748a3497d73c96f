import type { RecallLimits } from '../options/campaign-module-options.interface';
import { RECALL_RULES } from './create-campaign.rules';
import { parsed, rejected, type ParseResult } from './parse-result';

const { messages } = RECALL_RULES;

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
      return rejected(messages.shape);
    }
  }
  if (!Array.isArray(list)) return rejected(messages.shape);
  if (list.length > limits.maxEntries) {
    return rejected(messages.tooMany(limits.maxEntries));
  }
  for (let i = 0; i < list.length; i++) {
    const minutes: unknown = list[i];
    if (
      typeof minutes !== 'number' ||
      !Number.isInteger(minutes) ||
      minutes < 1 ||
      minutes > limits.maxMinutes
    ) {
      return rejected(messages.entry(i, limits.maxMinutes));
    }
    if (i > 0 && minutes <= (list[i - 1] as number)) {
      return rejected(messages.notIncreasing);
    }
  }
  return parsed(list as number[]);
}

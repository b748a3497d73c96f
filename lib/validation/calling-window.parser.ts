import type { CallingWindow } from '../scheduler/calling-window.interface';
import { callingWindowProblems } from '../scheduler/calling-window';
import { unknownKeys } from './body-scan';
import { CALLING_WINDOW_RULES } from './create-campaign.rules';
import type { FieldProblem } from './field-problem';

/** The keys of a `calling_window` object. */
export const CALLING_WINDOW_FIELDS: ReadonlySet<string> = new Set(
  CALLING_WINDOW_RULES.fields,
);

export type CallingWindowParseResult =
  | { ok: true; value: CallingWindow | null }
  | { ok: false; problems: FieldProblem[] };

/**
 * Reads a campaign's `calling_window`: `{ start, end, days }` by the rules of
 * the module's calling window (`assertValidCallingWindow`), each day once;
 * no other key. Absent or null: null (the module's window alone). Every
 * failing part is named by its path (`calling_window.days.2`). The value
 * returned has its days in ascending order.
 */
export function parseCampaignCallingWindow(
  input: unknown,
  path = 'calling_window',
): CallingWindowParseResult {
  if (input === undefined || input === null) return { ok: true, value: null };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      problems: [
        {
          field: path,
          message: CALLING_WINDOW_RULES.messages.shape,
        },
      ],
    };
  }
  const window = input as Record<string, unknown>;
  const problems = unknownKeys(window, CALLING_WINDOW_FIELDS, `${path}.`);
  for (const problem of callingWindowProblems(
    { start: window.start, end: window.end, days: window.days },
    { distinctDays: true },
  )) {
    problems.push({
      field: `${path}.${problem.field}`,
      message: problem.message,
    });
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      start: window.start as string,
      end: window.end as string,
      days: [...(window.days as number[])].sort((a, b) => a - b),
    },
  };
}

import { BODY_RULES, UNKNOWN_FIELD } from './create-campaign.rules';
import type { FieldProblem } from './field-problem';
import { FORBIDDEN_KEYS } from './custom-fields.validator';

// C0 controls other than tab, newline and carriage return, and DEL.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** See `BODY_RULES.maxDepth`. */
export const MAX_BODY_DEPTH = BODY_RULES.maxDepth;

const { messages } = BODY_RULES;

/**
 * Walks the whole body for what must never reach class-transformer or the
 * database: nesting deeper than {@link MAX_BODY_DEPTH}, prototype keys at any
 * depth, control characters (PostgreSQL refuses NUL) and strings with lone
 * surrogates. `depth` is how deep `value` sits in the body (a contact checked
 * alone is at 2).
 */
export function scanBody(value: unknown, path = '', depth = 0): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let tooDeep = false;
  // The keys from the root to the node being visited; a path is only
  // spelled out for a problem.
  const keys: string[] = [];
  const start = depth;
  const pathOf = (depth: number): string => {
    let at = path;
    for (let i = start; i < depth; i++) {
      at = at ? `${at}.${keys[i]}` : keys[i];
    }
    return at;
  };
  const visit = (node: unknown, depth: number): void => {
    if (typeof node === 'string') {
      if (CONTROL_CHARACTERS.test(node) || !node.isWellFormed()) {
        problems.push({
          field: pathOf(depth) || 'body',
          message: messages.badCharacters,
        });
      }
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (depth >= MAX_BODY_DEPTH) {
      // Reported once, at the first place found: the walk stops going down.
      if (!tooDeep) {
        problems.push({
          field: pathOf(depth) || 'body',
          message: messages.tooDeep(MAX_BODY_DEPTH),
        });
      }
      tooDeep = true;
      return;
    }
    for (const key of Object.keys(node)) {
      keys[depth] = key;
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({
          field: pathOf(depth + 1),
          message: messages.forbiddenKey,
        });
        continue;
      }
      if (CONTROL_CHARACTERS.test(key) || !key.isWellFormed()) {
        problems.push({
          field: pathOf(depth) || 'body',
          message: messages.badKeyCharacters,
        });
        continue;
      }
      visit((node as Record<string, unknown>)[key], depth + 1);
    }
  };
  visit(value, start);
  return problems;
}

/** Keys of `value` that are not in `known`, as "is not a known field" problems. */
export function unknownKeys(
  value: object,
  known: ReadonlySet<string>,
  prefix: string,
): FieldProblem[] {
  return Object.keys(value)
    .filter((key) => !known.has(key) && !FORBIDDEN_KEYS.has(key))
    .map((key) => ({
      field: `${prefix}${key}`,
      message: UNKNOWN_FIELD,
    }));
}

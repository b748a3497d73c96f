import {
  CAMPAIGN_BODY_FIELDS,
  UNKNOWN_FIELD,
} from '../validation/create-campaign.rules';
import type { FieldProblem } from '../validation/field-problem';
import type { CampaignImport } from './campaign-import';

/** The campaign fields a CSV upload takes from its query: all but `contacts`. */
export const CSV_QUERY_FIELDS: readonly string[] = CAMPAIGN_BODY_FIELDS.filter(
  (f) => f !== 'contacts',
);

export const CSV_QUERY_MESSAGES = {
  repeated: 'must be given once',
} as const;

/**
 * Reads the campaign fields of a CSV upload from the request line's query
 * (never the host's query parser) into the import: each once; `recall` as
 * `30,120` or `[30,120]` (empty: no retries); `calling_window` as its JSON
 * object. Unknown parameters are left in its fields for the 400 that names
 * them; repeated ones are returned as problems.
 */
export function csvQueryFields(
  url: string,
  into: CampaignImport,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const params = new URLSearchParams(query);
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    if (values.length > 1) {
      problems.push({ field: name, message: CSV_QUERY_MESSAGES.repeated });
      continue;
    }
    const [value] = values;
    if (name === 'contacts') {
      problems.push({ field: name, message: UNKNOWN_FIELD });
    } else if (name === 'recall') {
      into.setField(name, value.trim().startsWith('[') ? value : `[${value}]`);
    } else if (name === 'calling_window') {
      into.setField(name, jsonOrText(value));
    } else {
      into.setField(name, value);
    }
  }
  return problems;
}

function jsonOrText(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

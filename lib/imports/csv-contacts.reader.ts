import { parse } from 'csv-parse';
import { isContactTextField } from '../contacts/contact-fields';
import type { CustomFields } from '../entities/contact.entity';
import { BODY_RULES, UNKNOWN_FIELD } from '../validation/create-campaign.rules';
import { FORBIDDEN_KEYS } from '../validation/custom-fields.validator';
import type { FieldProblem } from '../validation/field-problem';
import type { CampaignImport } from './campaign-import';

/** `custom_fields.<key>` columns of a CSV upload. */
export const CUSTOM_FIELD_COLUMN_PREFIX = 'custom_fields.';

export const CSV_MESSAGES = {
  noHeader: 'must start with a header row of contact field names',
  duplicateColumn: 'is a column more than once',
  phoneColumn: 'is a required column',
  columnCount: (given: number, expected: number) =>
    `has ${given} columns where the header has ${expected}`,
  malformed: (reason: string) => `malformed CSV: ${reason}`,
} as const;

export class CsvHeaderError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super('bad CSV header');
  }
}

export class MalformedCsvError extends Error {}

type Column =
  { kind: 'phone' | 'field'; name: string } | { kind: 'custom'; key: string };

/**
 * The columns of a header row: `phone`, the contact fields and
 * `custom_fields.<key>`; throws {@link CsvHeaderError} naming every bad one.
 */
export function csvColumns(header: string[]): Column[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const columns = header.map((raw): Column => {
    const name = raw.trim();
    if (seen.has(name)) {
      problems.push({
        field: `header.${name}`,
        message: CSV_MESSAGES.duplicateColumn,
      });
    }
    seen.add(name);
    if (name === 'phone') return { kind: 'phone', name };
    if (isContactTextField(name)) return { kind: 'field', name };
    const key = name.startsWith(CUSTOM_FIELD_COLUMN_PREFIX)
      ? name.slice(CUSTOM_FIELD_COLUMN_PREFIX.length)
      : '';
    if (!key)
      problems.push({ field: `header.${name}`, message: UNKNOWN_FIELD });
    else if (FORBIDDEN_KEYS.has(key)) {
      problems.push({
        field: `header.${name}`,
        message: BODY_RULES.messages.forbiddenKey,
      });
    }
    return { kind: 'custom', key };
  });
  if (!seen.has('phone')) {
    problems.push({ field: 'header.phone', message: CSV_MESSAGES.phoneColumn });
  }
  if (problems.length) throw new CsvHeaderError(problems);
  return columns;
}

/**
 * Reads CSV rows from `chunks` into the import's contacts: the first row
 * names the columns; an empty cell is an absent field; `custom_fields.<key>`
 * cells are string values. A row with another number of cells than the
 * header fails as that contact.
 */
export async function readCsvContacts(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  into: CampaignImport,
  afterChunk: () => Promise<void>,
): Promise<void> {
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  let columns: Column[] | null = null;
  into.contactsRead = true;
  const take = (record: string[]): void => {
    if (!columns) {
      columns = csvColumns(record);
      return;
    }
    if (record.length === columns.length) {
      into.intake.add(contactOf(columns, record));
      return;
    }
    into.intake.reject([
      {
        field: `contacts.${into.intake.count}`,
        message: CSV_MESSAGES.columnCount(record.length, columns.length),
      },
    ]);
  };
  let failure: Error | undefined;
  parser.on('error', (error: Error) => {
    failure ??= error;
  });
  try {
    // The parser works synchronously on each chunk written: its rows are
    // taken right after, a chunk at a time (no stream hop a row).
    for await (const chunk of chunks) {
      parser.write(chunk);
      for (let row: unknown; (row = parser.read()) !== null;) {
        take(row as string[]);
      }
      if (failure) throw failure;
      await afterChunk();
    }
    parser.end();
    for await (const row of parser) take(row as string[]);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      throw new MalformedCsvError((error as Error).message);
    }
    throw error;
  } finally {
    parser.destroy();
  }
  if (!columns) {
    throw new CsvHeaderError([
      { field: 'body', message: CSV_MESSAGES.noHeader },
    ]);
  }
}

function contactOf(
  columns: Column[],
  record: string[],
): Record<string, unknown> {
  const contact: Record<string, unknown> = {};
  let custom: CustomFields | undefined;
  for (let i = 0; i < columns.length; i++) {
    const value = record[i];
    if (value === '') continue;
    const column = columns[i];
    if (column.kind === 'custom') (custom ??= {})[column.key] = value;
    else contact[column.name] = value;
  }
  if (custom) contact.custom_fields = custom;
  return contact;
}

import type { SqlDialect } from './sql-dialect';

/** What SqlParams needs of a dialect. */
export type Placeholders = Pick<SqlDialect, 'placeholder' | 'typed'>;

/**
 * Bind parameters collected in the order their placeholders appear in the
 * SQL text (SQLite's `?` are positional; PostgreSQL's are numbered).
 */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(private readonly dialect: Placeholders) {}

  add(value: unknown, postgresType?: string): string {
    this.values.push(value);
    const index = this.values.length;
    return postgresType
      ? this.dialect.typed(index, postgresType)
      : this.dialect.placeholder(index);
  }

  /** `(?, ?, …)` for an IN list. */
  list(values: readonly unknown[]): string {
    return `(${values.map((v) => this.add(v)).join(', ')})`;
  }

  /** A `VALUES` body whose columns carry PostgreSQL types. */
  rows(rows: readonly unknown[][], postgresTypes: readonly string[]): string {
    return rows
      .map(
        (row) =>
          `(${row.map((v, i) => this.add(v, postgresTypes[i])).join(', ')})`,
      )
      .join(', ');
  }
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const LIB = join(__dirname, '../../lib');

/** Where code may know which database it runs on: the database seam only (the migrations' index and runner ask it too). */
const ALLOWED = [/^database\//];

/** A check of the database type, however it is spelled. */
const DIALECT_CHECK =
  /\b(?:dialect|options|dataSource\.options)\.type\b|'better-sqlite3'|'mariadb'|\btype\s*[!=]==?\s*'(?:postgres|sqlite|mysql|mariadb)'|case\s+'(?:postgres|sqlite|mysql|mariadb)'/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('dialect checks', () => {
  it('live only in lib/database', () => {
    const found = sources(LIB)
      .map((path) => relative(LIB, path).split('\\').join('/'))
      .filter((path) => !ALLOWED.some((allowed) => allowed.test(path)))
      .flatMap((path) =>
        readFileSync(join(LIB, path), 'utf8')
          .split('\n')
          .map((line, i) => ({ path, line: i + 1, text: line.trim() }))
          .filter(({ text }) => DIALECT_CHECK.test(text)),
      )
      .map(({ path, line, text }) => `lib/${path}:${line}: ${text}`);
    expect(found).toEqual([]);
  });

  it('finds one when there is one (the pattern is not dead)', () => {
    expect(DIALECT_CHECK.test("if (this.dialect.type === 'postgres') {")).toBe(
      true,
    );
    expect(DIALECT_CHECK.test("dataSource.options.type !== 'postgres'")).toBe(
      true,
    );
    expect(DIALECT_CHECK.test("case 'better-sqlite3':")).toBe(true);
    expect(DIALECT_CHECK.test("case 'postgres':")).toBe(true);
    expect(DIALECT_CHECK.test("if (type === 'mysql') {")).toBe(true);
    expect(DIALECT_CHECK.test("options.type === 'mariadb'")).toBe(true);
    expect(DIALECT_CHECK.test("event.type === 'call.finished'")).toBe(false);
  });
});

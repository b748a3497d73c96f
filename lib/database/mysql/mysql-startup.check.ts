import type { DataSource } from 'typeorm';

const UTC_TIMEZONES = new Set(['Z', '+00:00', '-00:00']);

/**
 * mysql2 turns a DATETIME into a Date (and a Date parameter into text) in
 * the connection's `timezone` option, `local` by default; the module stores
 * UTC. It does not change the host's options: it refuses to start without
 * `timezone: 'Z'` rather than read and write shifted instants. SKIP LOCKED
 * needs MariaDB 10.6 or MySQL 8.0.1.
 */
export async function checkMysqlDataSource(
  dataSource: DataSource,
): Promise<void> {
  const { timezone } = dataSource.options as { timezone?: string };
  if (!timezone || !UTC_TIMEZONES.has(timezone)) {
    throw new Error(
      `nestjs-call-campaigns on MySQL/MariaDB needs the data source option timezone: 'Z' (it stores UTC DATETIMEs; mysql2 converts them with the connection's timezone, here ${timezone ? `'${timezone}'` : "unset, i.e. 'local'"})`,
    );
  }
  const [row] = await dataSource.query<{ version: string }[]>(
    'SELECT VERSION() AS version',
  );
  const version = String(row?.version ?? '');
  const [major, minor] = version.split('.').map(Number);
  const mariadb = /mariadb/i.test(version);
  const supported = mariadb
    ? major > 10 || (major === 10 && minor >= 6)
    : major >= 8;
  if (!supported) {
    throw new Error(
      `nestjs-call-campaigns needs MariaDB 10.6+ or MySQL 8 (SKIP LOCKED), not ${version}`,
    );
  }
}

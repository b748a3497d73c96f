import type { DataSource } from 'typeorm';
import { mysqlDialect } from './mysql/mysql.dialect';
import { postgresDialect } from './postgres/postgres.dialect';
import type { SqlDialect } from './sql-dialect';
import { sqliteDialect } from './sqlite/sqlite.dialect';

/** The one place that maps a TypeORM data source type to the module's database implementation. */
export function sqlDialectOfType(type: string): SqlDialect {
  switch (type) {
    case 'postgres':
      return postgresDialect;
    case 'better-sqlite3':
      return sqliteDialect;
    case 'mysql':
    case 'mariadb':
      return mysqlDialect;
    default:
      throw new Error(
        `nestjs-call-campaigns does not support database type "${type}" (PostgreSQL, SQLite through better-sqlite3, MariaDB/MySQL through mysql2)`,
      );
  }
}

export function sqlDialectOf(dataSource: DataSource): SqlDialect {
  return sqlDialectOfType(dataSource.options.type);
}

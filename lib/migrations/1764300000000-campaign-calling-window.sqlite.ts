import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A campaign's own zone and calling window (both optional): `timezone`, the
 * canonical IANA zone for contacts whose number gives none, and
 * `calling_window`, `{ "start": "HH:mm", "end": "HH:mm", "days": [1..7] }`
 * as JSON text, which narrows the module's window. Null in both: the
 * module's settings. DROP COLUMN needs SQLite 3.35 (better-sqlite3 ships a
 * later one).
 */
export class CampaignCallingWindowSqlite1764300000000 implements MigrationInterface {
  name = 'CampaignCallingWindowSqlite1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaigns ADD COLUMN timezone varchar(64)`);
    await q.query(`ALTER TABLE campaigns ADD COLUMN calling_window text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaigns DROP COLUMN calling_window`);
    await q.query(`ALTER TABLE campaigns DROP COLUMN timezone`);
  }
}

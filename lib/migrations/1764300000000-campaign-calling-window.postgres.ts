import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A campaign's own zone and calling window (both optional): `timezone`, the
 * canonical IANA zone for contacts whose number gives none, and
 * `calling_window`, `{ "start": "HH:mm", "end": "HH:mm", "days": [1..7] }`,
 * which narrows the module's window. Null in both: the module's settings.
 */
export class CampaignCallingWindowPostgres1764300000000 implements MigrationInterface {
  name = 'CampaignCallingWindowPostgres1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE campaigns ADD COLUMN timezone varchar(64), ADD COLUMN calling_window jsonb`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE campaigns DROP COLUMN calling_window, DROP COLUMN timezone`,
    );
  }
}

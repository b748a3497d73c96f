import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { insertRows } from '../database/multi-row-insert';
import { SqlParams } from '../database/sql-params';
import type { SqlDialect } from '../database/sql-dialect';
import {
  CALL_INSERT_COLUMNS,
  CONTACT_INSERT_COLUMNS,
  CONTACT_UPSERT,
} from './campaign-sql';
import { CONTACT_TEXT_FIELDS } from '../contacts/contact-fields';
import type { NewContact } from './new-campaign.interface';

export interface ContactCallBatch {
  accountId: string;
  campaignId: string;
  dueAt: Date;
  /** The recall policy as JSON, copied onto every call. */
  recall: string;
  /** Distinct by phone, sorted (a stable lock order for concurrent upserts). */
  contacts: NewContact[];
  /**
   * False: upsert the contacts only (their calls were queued by an earlier
   * batch of the same campaign). Default true.
   */
  queueCalls?: boolean;
}

/**
 * Upserts the contacts and inserts one queued call per contact, in chunks of
 * `chunkSize` rows. PostgreSQL: one statement per chunk, the rows sent as
 * arrays (`unnest`, so no bind-parameter limit) and the calls made in the
 * database from the upsert's RETURNING. SQLite: multi-row VALUES statements
 * within its variable limit.
 */
export class ContactCallWriter {
  constructor(
    private readonly dialect: SqlDialect,
    private readonly chunkSize: number,
  ) {}

  async write(manager: EntityManager, batch: ContactCallBatch): Promise<void> {
    for (let i = 0; i < batch.contacts.length; i += this.chunkSize) {
      const contacts = batch.contacts.slice(i, i + this.chunkSize);
      if (this.dialect.bindsArrays) {
        await this.writeWithArrays(manager, batch, contacts);
      } else {
        await this.writeWithValues(manager, batch, contacts);
      }
    }
  }

  private async writeWithArrays(
    manager: EntityManager,
    batch: ContactCallBatch,
    contacts: NewContact[],
  ): Promise<void> {
    const p = new SqlParams(this.dialect);
    const account = p.add(batch.accountId);
    const columns = ['phone', ...CONTACT_TEXT_FIELDS, 'custom_fields'];
    const arrays = [
      p.add(
        contacts.map((c) => c.phone),
        'varchar[]',
      ),
      ...CONTACT_TEXT_FIELDS.map((field) =>
        p.add(
          contacts.map((c) => c.fields[field] ?? null),
          'varchar[]',
        ),
      ),
      p.add(
        contacts.map((c) =>
          c.customFields ? JSON.stringify(c.customFields) : null,
        ),
        'text[]',
      ),
    ];
    const selected = columns
      .map((c) => (c === 'custom_fields' ? 't.custom_fields::jsonb' : `t.${c}`))
      .join(', ');
    const upsert = `INSERT INTO campaign_contacts (${CONTACT_INSERT_COLUMNS.join(', ')})
        SELECT gen_random_uuid(), ${account}, ${selected}
        FROM unnest(${arrays.join(', ')}) AS t(${columns.join(', ')})
        ${this.dialect.upsertSuffix(CONTACT_UPSERT)}`;
    if (batch.queueCalls === false) {
      await manager.query(upsert, p.values);
      return;
    }
    await manager.query(
      `WITH upserted AS (
        ${upsert}
      )
      INSERT INTO campaign_calls (${CALL_INSERT_COLUMNS.join(', ')})
      SELECT gen_random_uuid(), ${p.add(batch.campaignId)}, ${p.add(batch.accountId)},
        upserted.id, 'queued', ${p.add(batch.dueAt, 'timestamptz')}, ${p.add(batch.recall, 'jsonb')}
      FROM upserted`,
      p.values,
    );
  }

  private async writeWithValues(
    manager: EntityManager,
    batch: ContactCallBatch,
    contacts: NewContact[],
  ): Promise<void> {
    const returned = await this.dialect.upsert(manager, {
      ...CONTACT_UPSERT,
      columns: CONTACT_INSERT_COLUMNS,
      rows: contacts.map((c) => [
        randomUUID(),
        batch.accountId,
        c.phone,
        ...CONTACT_TEXT_FIELDS.map((field) => c.fields[field] ?? null),
        c.customFields ? JSON.stringify(c.customFields) : null,
      ]),
      chunkSize: this.chunkSize,
    });
    if (batch.queueCalls === false) return;
    const dueAt = this.dialect.date(batch.dueAt);
    await insertRows(
      manager,
      this.dialect,
      { table: 'campaign_calls', columns: CALL_INSERT_COLUMNS },
      returned.map((row) => [
        randomUUID(),
        batch.campaignId,
        batch.accountId,
        row.id,
        'queued',
        dueAt,
        batch.recall,
      ]),
      this.chunkSize,
    );
  }
}

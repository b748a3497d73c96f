/**
 * The ingest floor: the same contact and call rows written with
 * `COPY … FROM STDIN` (one campaign row, then one COPY a table, in one
 * transaction): no HTTP, no parsing, no validation, no upsert. It writes the
 * module's tables directly, as a floor must.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { RECALL, type BenchContact } from '../harness/contacts';

/** Rows a CopyData message. */
const CHUNK = 10_000;

/** COPY FROM STDIN with the `pg` driver alone: a Submittable that sends the chunks. */
class CopyIn {
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  private error?: Error;
  readonly done = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    private readonly sql: string,
    private readonly chunks: () => Iterable<string>,
  ) {}

  submit(connection: { query(text: string): void }): void {
    connection.query(this.sql);
  }
  handleCopyInResponse(connection: {
    sendCopyFromChunk(chunk: Buffer): void;
    endCopyFrom(): void;
  }): void {
    for (const chunk of this.chunks()) {
      connection.sendCopyFromChunk(Buffer.from(chunk, 'utf8'));
    }
    connection.endCopyFrom();
  }
  handleError(error: Error): void {
    this.error = error;
  }
  handleReadyForQuery(): void {
    if (this.error) this.reject(this.error);
    else this.resolve();
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

async function copy(
  client: Client,
  sql: string,
  n: number,
  line: (i: number) => string,
): Promise<void> {
  const copyIn = new CopyIn(sql, function* () {
    for (let i = 0; i < n; i += CHUNK) {
      let text = '';
      for (let j = i; j < Math.min(n, i + CHUNK); j++) text += line(j);
      yield text;
    }
  });
  void client.query(copyIn as never);
  await copyIn.done;
}

/** No field of the bench contacts needs COPY escaping (no tab, newline or backslash). */
export async function copyFloor(
  client: Client,
  account: { accountId: string; playbookId: string },
  contacts: BenchContact[],
): Promise<void> {
  const n = contacts.length;
  const campaignId = randomUUID();
  const contactIds = contacts.map(() => randomUUID());
  const recall = JSON.stringify(RECALL);
  const due = new Date().toISOString();
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO campaigns (id, account_id, playbook_id, status, launch_at, recall,
         contacts_count, calls_count, duplicates_count)
       VALUES ($1, $2, $3, 'running', NULL, $4, $5, $5, 0)`,
      [campaignId, account.accountId, account.playbookId, recall, n],
    );
    await copy(
      client,
      'COPY campaign_contacts (id, account_id, phone, first_name, last_name, email, city, timezone) FROM STDIN',
      n,
      (i) => {
        const c = contacts[i];
        return `${contactIds[i]}\t${account.accountId}\t${c.phone}\t${c.first_name}\t${c.last_name}\t${c.email}\t${c.city}\t${c.timezone}\n`;
      },
    );
    await copy(
      client,
      'COPY campaign_calls (id, campaign_id, account_id, contact_id, status, due_at, recall) FROM STDIN',
      n,
      (i) =>
        `${randomUUID()}\t${campaignId}\t${account.accountId}\t${contactIds[i]}\tqueued\t${due}\t${recall}\n`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

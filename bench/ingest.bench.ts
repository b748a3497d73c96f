/**
 * Ingest benchmark of `POST /campaign`: the real module over real HTTP, against
 * a naive TypeORM implementation and against the fastest raw way of writing
 * the same rows ("floor"), on PostgreSQL and SQLite.
 *
 *   npm run bench:ingest
 *
 * Environment (all optional):
 *   BENCH_DATABASE_URL   PostgreSQL server (else TEST_DATABASE_URL, else
 *                        postgres://postgres@127.0.0.1:5432/test). A fresh
 *                        database is created for each (database, size) and dropped.
 *   BENCH_DIALECTS       postgres,sqlite (default both)
 *   BENCH_SIZES          1000,10000,50000 (default)
 *   BENCH_RUNS           measured runs per size (default 5, 3 from 50 000 up)
 *   BENCH_NAIVE_RUNS     runs of the naive baseline (default 3; never above 10 000 contacts)
 *
 * It is a report, not a test: it exits 0 when targets are missed, 1 only when
 * something could not be measured (an HTTP error, a crash).
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  CallEntity,
  CampaignEntity,
  ContactEntity,
  type CampaignModuleOptions,
} from '../lib';
import { sqliteDateText } from '../lib/database/sql-dialect';
import {
  createTestDatabase,
  type TestDialect,
} from '../test/utils/test-database';
import {
  PG_URL,
  RECALL,
  RssSampler,
  collectGarbage,
  makeContacts,
  median,
  post,
  redact,
  startApp,
  type BenchApp,
  type BenchContact,
} from './support';

// ---------------------------------------------------------------- settings

const DIALECTS = listEnv('BENCH_DIALECTS', ['postgres', 'sqlite']).filter(
  (d): d is TestDialect => d === 'postgres' || d === 'sqlite',
);
const SIZES = listEnv('BENCH_SIZES', ['1000', '10000', '50000']).map(Number);
const NAIVE_MAX_CONTACTS = 10_000;

/** Module defaults accept 10 000 contacts and a 16 MB body. */
const BIG_REQUEST_OPTIONS: CampaignModuleOptions = {
  maxContactsPerCampaign: 50_000,
  maxBodyBytes: 64 * 1024 * 1024,
};

const TARGET_PG_10K_MS = 1_000;
const TARGET_SPEEDUP = 20;
const TARGET_FLOOR_RATIO = 3;

function listEnv(name: string, fallback: string[]): string[] {
  const value = process.env[name]?.trim();
  return value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : fallback;
}

function runsFor(n: number): number {
  const forced = Number(process.env.BENCH_RUNS);
  if (Number.isInteger(forced) && forced > 0) return forced;
  return n >= 50_000 ? 3 : 5;
}

function naiveRunsFor(n: number): number {
  if (n > NAIVE_MAX_CONTACTS) return 0;
  const forced = Number(process.env.BENCH_NAIVE_RUNS);
  const wanted = Number.isInteger(forced) && forced >= 0 ? forced : 3;
  return Math.min(wanted, runsFor(n));
}

// ---------------------------------------------------------------- the three writers

interface Written {
  ms: number;
  peakRss?: number;
  rssBefore?: number;
}

/** The module: `POST /campaign` over HTTP, parsed, validated, upserted. */
async function viaModule(
  bench: BenchApp,
  account: { token: string },
  payload: Buffer,
  n: number,
): Promise<Written> {
  collectGarbage();
  const rss = new RssSampler();
  const rssBefore = process.memoryUsage().rss;
  rss.start();
  const started = performance.now();
  const res = await post(bench.port, '/campaign', account.token, payload);
  const ms = performance.now() - started;
  const peakRss = rss.stop();
  if (res.status !== 202) {
    throw new Error(
      `POST /campaign answered ${res.status}: ${res.body.slice(0, 500)}`,
    );
  }
  const created = JSON.parse(res.body) as { contacts: number; calls: number };
  if (created.contacts !== n || created.calls !== n) {
    throw new Error(
      `POST /campaign wrote ${created.contacts} contacts / ${created.calls} calls, expected ${n}`,
    );
  }
  return { ms, peakRss, rssBefore };
}

/**
 * What a home-made implementation does: one `save()` per contact and per
 * call in one transaction. No HTTP, no JSON parsing, no validation, no
 * phone normalisation: all of that only makes this baseline faster.
 */
async function viaNaiveTypeorm(
  dataSource: DataSource,
  account: { id: string; playbookId: string },
  contacts: BenchContact[],
): Promise<Written> {
  collectGarbage();
  const started = performance.now();
  await dataSource.transaction(async (manager) => {
    const campaigns = manager.getRepository(CampaignEntity);
    const contactRepo = manager.getRepository(ContactEntity);
    const callRepo = manager.getRepository(CallEntity);
    const campaign = await campaigns.save(
      campaigns.create({
        id: randomUUID(),
        accountId: account.id,
        playbookId: account.playbookId,
        status: 'running',
        launchAt: null,
        recall: RECALL,
        contactsCount: contacts.length,
        callsCount: contacts.length,
        duplicatesCount: 0,
      }),
    );
    const dueAt = new Date();
    for (const c of contacts) {
      const contact = await contactRepo.save(
        contactRepo.create({
          id: randomUUID(),
          accountId: account.id,
          phone: c.phone,
          firstName: c.first_name,
          lastName: c.last_name,
          email: c.email,
          city: c.city,
          timezone: c.timezone,
          customFields: c.custom_fields,
        }),
      );
      await callRepo.save(
        callRepo.create({
          id: randomUUID(),
          campaignId: campaign.id,
          accountId: account.id,
          contactId: contact.id,
          status: 'queued',
          dueAt,
          recall: RECALL,
        }),
      );
    }
  });
  return { ms: performance.now() - started };
}

const FLOOR_CONTACT_COLUMNS =
  'id, account_id, phone, first_name, last_name, email, city, timezone, custom_fields';
const FLOOR_CALL_COLUMNS =
  'id, campaign_id, account_id, contact_id, status, due_at, recall';
const FLOOR_CAMPAIGN_SQL = (p: (i: number) => string) =>
  `INSERT INTO campaigns (id, account_id, playbook_id, status, launch_at, recall, contacts_count, calls_count, duplicates_count) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(p).join(', ')})`;

interface FloorRows {
  campaignId: string;
  contactIds: string[];
  callIds: string[];
  recall: string;
}

function floorRows(n: number): FloorRows {
  return {
    campaignId: randomUUID(),
    contactIds: Array.from({ length: n }, () => randomUUID()),
    callIds: Array.from({ length: n }, () => randomUUID()),
    recall: JSON.stringify(RECALL),
  };
}

/** The values of FLOOR_CAMPAIGN_SQL: a running campaign of `n` calls. */
function floorCampaignValues(
  rows: FloorRows,
  account: { id: string; playbookId: string },
  n: number,
): unknown[] {
  return [
    rows.campaignId,
    account.id,
    account.playbookId,
    'running',
    null,
    rows.recall,
    n,
    n,
    0,
  ];
}

/** PostgreSQL floor, variant 1: one INSERT … SELECT FROM unnest() per table. */
async function viaPgUnnest(
  client: Client,
  account: { id: string; playbookId: string },
  contacts: BenchContact[],
): Promise<Written> {
  collectGarbage();
  const started = performance.now();
  const rows = floorRows(contacts.length);
  await client.query('BEGIN');
  try {
    await client.query(
      FLOOR_CAMPAIGN_SQL((i) => `$${i}`),
      floorCampaignValues(rows, account, contacts.length),
    );
    await client.query(
      `INSERT INTO campaign_contacts (${FLOOR_CONTACT_COLUMNS})
       SELECT u.id, $2, u.phone, u.first_name, u.last_name, u.email, u.city, u.timezone, u.custom_fields
       FROM unnest($1::uuid[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $8::varchar[], $9::jsonb[])
         AS u(id, phone, first_name, last_name, email, city, timezone, custom_fields)`,
      [
        rows.contactIds,
        account.id,
        contacts.map((c) => c.phone),
        contacts.map((c) => c.first_name),
        contacts.map((c) => c.last_name),
        contacts.map((c) => c.email),
        contacts.map((c) => c.city),
        contacts.map((c) => c.timezone),
        contacts.map((c) => JSON.stringify(c.custom_fields)),
      ],
    );
    await client.query(
      `INSERT INTO campaign_calls (${FLOOR_CALL_COLUMNS})
       SELECT u.id, $3, $4, u.contact_id, 'queued', $5, $6::jsonb
       FROM unnest($1::uuid[], $2::uuid[]) AS u(id, contact_id)`,
      [
        rows.callIds,
        rows.contactIds,
        rows.campaignId,
        account.id,
        new Date(),
        rows.recall,
      ],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return { ms: performance.now() - started };
}

/**
 * `COPY … FROM STDIN` with the `pg` driver alone (what pg-copy-streams does,
 * minus the stream): the whole text payload is sent as one CopyData message.
 */
class CopyFromStdin {
  private done = false;
  private error?: Error;
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  readonly finished = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    readonly text: string,
    private readonly data: Buffer,
  ) {}

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: {
    sendCopyFromChunk(chunk: Buffer): void;
    endCopyFrom(): void;
  }): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }
  handleError(error: Error): void {
    this.error = error;
    this.finish();
  }
  handleReadyForQuery(): void {
    this.finish();
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.error) this.reject(this.error);
    else this.resolve();
  }
}

/** A value in COPY text format. */
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

async function copyIn(
  client: Client,
  sql: string,
  lines: string[],
): Promise<void> {
  const copy = new CopyFromStdin(sql, Buffer.from(lines.join(''), 'utf8'));
  void client.query(copy as never);
  await copy.finished;
}

/** PostgreSQL floor, variant 2: COPY FROM STDIN per table. */
async function viaPgCopy(
  client: Client,
  account: { id: string; playbookId: string },
  contacts: BenchContact[],
): Promise<Written> {
  collectGarbage();
  const started = performance.now();
  const rows = floorRows(contacts.length);
  const accountId = copyText(account.id);
  const dueAt = new Date().toISOString();
  await client.query('BEGIN');
  try {
    await client.query(
      FLOOR_CAMPAIGN_SQL((i) => `$${i}`),
      floorCampaignValues(rows, account, contacts.length),
    );
    await copyIn(
      client,
      `COPY campaign_contacts (${FLOOR_CONTACT_COLUMNS}) FROM STDIN`,
      contacts.map(
        (c, i) =>
          `${rows.contactIds[i]}\t${accountId}\t${c.phone}\t${copyText(c.first_name)}\t${copyText(c.last_name)}\t${copyText(c.email)}\t${copyText(c.city)}\t${copyText(c.timezone)}\t${copyText(JSON.stringify(c.custom_fields))}\n`,
      ),
    );
    await copyIn(
      client,
      `COPY campaign_calls (${FLOOR_CALL_COLUMNS}) FROM STDIN`,
      rows.callIds.map(
        (id, i) =>
          `${id}\t${rows.campaignId}\t${accountId}\t${rows.contactIds[i]}\tqueued\t${dueAt}\t${rows.recall}\n`,
      ),
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return { ms: performance.now() - started };
}

/** SQLite floor: better-sqlite3 prepared statements in a loop, one transaction. */
function sqliteFloorWriter(file: string) {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  const campaign = db.prepare(FLOOR_CAMPAIGN_SQL(() => '?'));
  const contact = db.prepare(
    `INSERT INTO campaign_contacts (${FLOOR_CONTACT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const call = db.prepare(
    `INSERT INTO campaign_calls (${FLOOR_CALL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const write = db.transaction(
    (account: { id: string; playbookId: string }, contacts: BenchContact[]) => {
      const rows = floorRows(contacts.length);
      campaign.run(...floorCampaignValues(rows, account, contacts.length));
      contacts.forEach((c, i) =>
        contact.run(
          rows.contactIds[i],
          account.id,
          c.phone,
          c.first_name,
          c.last_name,
          c.email,
          c.city,
          c.timezone,
          JSON.stringify(c.custom_fields),
        ),
      );
      const dueAt = sqliteDateText(new Date());
      rows.callIds.forEach((id, i) =>
        call.run(
          id,
          rows.campaignId,
          account.id,
          rows.contactIds[i],
          'queued',
          dueAt,
          rows.recall,
        ),
      );
    },
  );
  return {
    write(
      account: { id: string; playbookId: string },
      contacts: BenchContact[],
    ): Written {
      collectGarbage();
      const started = performance.now();
      write(account, contacts);
      return { ms: performance.now() - started };
    },
    close: () => db.close(),
  };
}

async function assertWritten(
  dataSource: DataSource,
  accountId: string,
  n: number,
  what: string,
): Promise<void> {
  const p = dataSource.options.type === 'postgres' ? '$1' : '?';
  const [row] = (await dataSource.query(
    `SELECT (SELECT COUNT(*) FROM campaign_contacts WHERE account_id = ${p}) AS contacts,
            (SELECT COUNT(*) FROM campaign_calls c JOIN campaign_contacts k ON k.id = c.contact_id WHERE k.account_id = ${p}) AS calls`,
    dataSource.options.type === 'postgres'
      ? [accountId]
      : [accountId, accountId],
  )) as { contacts: string | number; calls: string | number }[];
  if (Number(row.contacts) !== n || Number(row.calls) !== n) {
    throw new Error(
      `${what} left ${row.contacts} contacts / ${row.calls} calls for ${n} contacts`,
    );
  }
}

// ---------------------------------------------------------------- one (database, size)

interface Row {
  dialect: TestDialect;
  n: number;
  moduleMs: number[];
  peakRssMb?: number;
  rssBeforeMb?: number;
  naiveMs: number[];
  floorMs: number[];
  floorKind: string;
  floorDetail: string;
  upsertMs?: number;
  error?: string;
}

async function benchSize(dialect: TestDialect, n: number): Promise<Row> {
  const row: Row = {
    dialect,
    n,
    moduleMs: [],
    naiveMs: [],
    floorMs: [],
    floorKind: '',
    floorDetail: '',
  };
  const database = await createTestDatabase(dialect);
  let bench: BenchApp | undefined;
  let pgClient: Client | undefined;
  let sqliteFloor: ReturnType<typeof sqliteFloorWriter> | undefined;
  const cleanup = async () => {
    sqliteFloor?.close();
    sqliteFloor = undefined;
    await pgClient?.end().catch(() => undefined);
    pgClient = undefined;
    await bench?.app.close().catch(() => undefined);
    bench = undefined;
    await database.drop();
  };
  cleanups.add(cleanup);
  try {
    bench = await startApp(
      database,
      n > 10_000 ? { options: BIG_REQUEST_OPTIONS } : {},
    );
    const copyMs: number[] = [];
    const unnestMs: number[] = [];
    let floor: (
      account: { id: string; playbookId: string },
      c: BenchContact[],
    ) => Promise<Written>;
    if (dialect === 'postgres') {
      pgClient = new Client({
        connectionString: (database.options as { url: string }).url,
      });
      pgClient.on('error', () => undefined);
      await pgClient.connect();
      const client = pgClient;
      // Both variants on every run (unnest under the account, COPY under
      // `<account>-copy`); the floor is the variant with the lower median.
      floor = async (account, c) => {
        const a = await viaPgUnnest(client, account, c);
        unnestMs.push(a.ms);
        const copyAccount = { ...account, id: `${account.id}-copy` };
        const b = await viaPgCopy(client, copyAccount, c);
        copyMs.push(b.ms);
        await assertWritten(
          bench!.dataSource,
          copyAccount.id,
          c.length,
          'COPY floor',
        );
        return a;
      };
    } else {
      sqliteFloor = sqliteFloorWriter(
        (database.options as { database: string }).database,
      );
      const writer = sqliteFloor;
      floor = async (account, c) => writer.write(account, c);
    }

    // Warm-up (not measured): JIT, connection pool, prepared statements.
    const warm = makeContacts(Math.min(n, 1_000));
    const warmAccount = await bench.account('warm');
    await viaModule(
      bench,
      warmAccount,
      Buffer.from(
        JSON.stringify({
          playbook_id: warmAccount.playbookId,
          contacts: warm,
          recall: RECALL,
        }),
      ),
      warm.length,
    );
    await viaNaiveTypeorm(
      bench.dataSource,
      await bench.account('warm-naive'),
      warm.slice(0, 200),
    );
    await floor(await bench.account('warm-floor'), warm);
    copyMs.length = 0;
    unnestMs.length = 0;

    const runs = runsFor(n);
    const naiveRuns = naiveRunsFor(n);
    let last: { account: { token: string }; payload: Buffer } | undefined;
    let peakRss = 0;
    const rssBefore: number[] = [];
    for (let run = 0; run < runs; run++) {
      // Fresh phones and fresh accounts: every run measures inserts. The three
      // writers write the same contacts, each under its own account.
      const contacts = makeContacts(n);
      const moduleAccount = await bench.account(`module-${run}`);
      const payload = Buffer.from(
        JSON.stringify({
          playbook_id: moduleAccount.playbookId,
          contacts,
          recall: RECALL,
        }),
      );
      const m = await viaModule(bench, moduleAccount, payload, n);
      row.moduleMs.push(m.ms);
      peakRss = Math.max(peakRss, m.peakRss ?? 0);
      rssBefore.push(m.rssBefore ?? 0);
      await assertWritten(bench.dataSource, moduleAccount.id, n, 'module');
      last = { account: moduleAccount, payload };
      process.stdout.write('.');

      if (run < naiveRuns) {
        const naiveAccount = await bench.account(`naive-${run}`);
        row.naiveMs.push(
          (await viaNaiveTypeorm(bench.dataSource, naiveAccount, contacts)).ms,
        );
        await assertWritten(bench.dataSource, naiveAccount.id, n, 'naive');
        process.stdout.write('n');
      }

      const floorAccount = await bench.account(`floor-${run}`);
      row.floorMs.push((await floor(floorAccount, contacts)).ms);
      await assertWritten(bench.dataSource, floorAccount.id, n, 'floor');
      process.stdout.write('f');
    }
    // The same body again for the same account: every contact conflicts, so
    // this measures the upsert (update) path, plus a new campaign and new calls.
    if (last) {
      row.upsertMs = (await viaModule(bench, last.account, last.payload, n)).ms;
      process.stdout.write('u');
    }
    row.peakRssMb = peakRss / 2 ** 20;
    row.rssBeforeMb = median(rssBefore) / 2 ** 20;
    if (dialect === 'postgres') {
      const copyWins = median(copyMs) <= median(unnestMs);
      row.floorMs = copyWins ? copyMs : unnestMs;
      row.floorKind = copyWins ? 'COPY' : 'unnest';
      row.floorDetail = `unnest ${fmtMs(median(unnestMs))} / COPY ${fmtMs(median(copyMs))}`;
    } else {
      row.floorKind = 'prepared loop';
      row.floorDetail = 'better-sqlite3 prepared INSERT loop';
    }
  } catch (error) {
    row.error = error instanceof Error ? error.message : String(error);
  } finally {
    await cleanup();
    cleanups.delete(cleanup);
  }
  return row;
}

// ---------------------------------------------------------------- report

const fmtMs = (ms: number | undefined) =>
  ms === undefined || Number.isNaN(ms)
    ? '–'
    : ms >= 100
      ? ms.toFixed(0)
      : ms.toFixed(1);
const fmtX = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '–' : `${x.toFixed(x >= 10 ? 0 : 1)}×`;

function summarize(row: Row) {
  const moduleMs = row.moduleMs.length ? median(row.moduleMs) : undefined;
  const naiveMs = row.naiveMs.length ? median(row.naiveMs) : undefined;
  const floorMs = row.floorMs.length ? median(row.floorMs) : undefined;
  return {
    moduleMs,
    naiveMs,
    floorMs,
    perSecond: moduleMs ? (row.n / moduleMs) * 1000 : undefined,
    speedup: moduleMs && naiveMs ? naiveMs / moduleMs : undefined,
    floorRatio: moduleMs && floorMs ? moduleMs / floorMs : undefined,
  };
}

function printReport(rows: Row[], skipped: string[]): void {
  const header = [
    'database',
    'contacts',
    'module median ms',
    'contacts/s',
    'peak RSS MB',
    'naive ms',
    'speed-up vs naive (×)',
    'floor ms',
    'module/floor (×)',
    'upsert re-post ms',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const row of rows) {
    const s = summarize(row);
    const naive = row.n > NAIVE_MAX_CONTACTS ? 'skipped' : fmtMs(s.naiveMs);
    lines.push(
      `| ${[
        row.dialect,
        row.n.toLocaleString('en-US'),
        row.error ? `ERROR` : fmtMs(s.moduleMs),
        s.perSecond ? Math.round(s.perSecond).toLocaleString('en-US') : '–',
        row.peakRssMb ? `${row.peakRssMb.toFixed(0)}` : '–',
        naive,
        row.n > NAIVE_MAX_CONTACTS ? 'skipped' : fmtX(s.speedup),
        row.floorKind
          ? `${fmtMs(s.floorMs)} (${row.floorKind})`
          : fmtMs(s.floorMs),
        fmtX(s.floorRatio),
        fmtMs(row.upsertMs),
      ].join(' | ')} |`,
    );
  }
  console.log('\n## POST /campaign ingest\n');
  console.log(lines.join('\n'));

  console.log('\n### Runs (ms, in order)\n');
  for (const row of rows) {
    const label = `${row.dialect} ${row.n.toLocaleString('en-US')}`;
    if (row.error) {
      console.log(`- ${label}: ERROR ${row.error}`);
      continue;
    }
    console.log(
      `- ${label}: module [${row.moduleMs.map(fmtMs).join(', ')}]` +
        `; naive [${row.naiveMs.length ? row.naiveMs.map(fmtMs).join(', ') : 'skipped'}]` +
        `; floor [${row.floorMs.map(fmtMs).join(', ')}] (${row.floorDetail}, medians)` +
        `; RSS before request ~${row.rssBeforeMb?.toFixed(0)} MB, peak ${row.peakRssMb?.toFixed(0)} MB`,
    );
  }
  for (const s of skipped) console.log(`- ${s}`);

  console.log('\n### Targets\n');
  const pg10k = rows.find(
    (r) => r.dialect === 'postgres' && r.n === 10_000 && !r.error,
  );
  if (pg10k) {
    const s = summarize(pg10k);
    const ok = (s.moduleMs ?? Infinity) <= TARGET_PG_10K_MS;
    console.log(
      `- ${ok ? 'PASS' : 'MISS'} 10 000 contacts answered in ≤ ${TARGET_PG_10K_MS} ms on PostgreSQL: median ${fmtMs(s.moduleMs)} ms`,
    );
  } else {
    console.log('- n/a  10 000 contacts on PostgreSQL: not measured');
  }
  for (const row of rows) {
    if (row.error) continue;
    const s = summarize(row);
    const label = `${row.dialect} ${row.n.toLocaleString('en-US')}`;
    if (s.speedup !== undefined) {
      console.log(
        `- ${s.speedup >= TARGET_SPEEDUP ? 'PASS' : 'MISS'} ≥ ${TARGET_SPEEDUP}× the naive baseline, ${label}: ${fmtX(s.speedup)}`,
      );
    }
    if (s.floorRatio !== undefined) {
      console.log(
        `- ${s.floorRatio <= TARGET_FLOOR_RATIO ? 'PASS' : 'MISS'} within ${TARGET_FLOOR_RATIO}× of the floor, ${label}: ${fmtX(s.floorRatio)}`,
      );
    }
  }

  console.log('\n### Notes\n');
  console.log(
    [
      '- module: the real Nest app (TypeOrmModule + CampaignModule.forRoot, campaignBodyParser: the module reads the body after auth) on 127.0.0.1, timed from sending the POST to the end of the 202 response: body parsing, auth, validation, phone normalisation, upsert and inserts. Median of the runs; one warm-up request first.',
      '- every run uses new phone numbers and a new account (inserts); "upsert re-post" sends the last body again for the same account (every contact conflicts: update path, plus a new campaign and its calls).',
      '- naive: one TypeORM save() per contact and per call (plus the campaign) in one transaction. It gets no HTTP, no JSON parsing and no validation, which only makes it look better than it is.',
      '- floor: the same contact and call rows with no HTTP, no validation and no upsert. PostgreSQL: the faster of one INSERT … SELECT FROM unnest() per table and COPY FROM STDIN per table, in one transaction; SQLite: better-sqlite3 prepared INSERTs in a loop in one transaction.',
      '- peak RSS: the whole process (it also runs the client, which holds the request body), sampled every 2 ms and, on Linux, the kernel high-water mark (VmHWM) reset before each request; the maximum over the runs.',
      `- 50 000 contacts: maxContactsPerCampaign ${BIG_REQUEST_OPTIONS.maxContactsPerCampaign} and maxBodyBytes ${BIG_REQUEST_OPTIONS.maxBodyBytes}.`,
      '- other processes share the machine: compare rows of one run rather than runs of different days.',
    ].join('\n'),
  );
}

// ---------------------------------------------------------------- main

const cleanups = new Set<() => Promise<void>>();

async function postgresVersion(): Promise<string> {
  const client = new Client({
    connectionString: PG_URL,
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const res = await client.query<{ v: string; fsync: string; sc: string }>(
      "SELECT current_setting('server_version') AS v, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc",
    );
    const r = res.rows[0];
    return `PostgreSQL ${r.v} at ${redact(PG_URL)} (fsync=${r.fsync}, synchronous_commit=${r.sc})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: dropping the bench databases…`);
      void Promise.allSettled([...cleanups].map((c) => c())).then(() =>
        process.exit(130),
      );
    });
  }
  // test/utils/test-database.ts reads the server from TEST_DATABASE_URL.
  process.env.TEST_DATABASE_URL = PG_URL;

  const cpu = cpus();
  console.log('# nestjs-call-campaigns ingest benchmark\n');
  console.log(
    `- machine: ${cpu.length} CPUs (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `- node ${process.version} (${process.platform}-${process.arch})${(globalThis as { gc?: unknown }).gc ? ', GC forced between runs' : ''}`,
  );

  const dialects: TestDialect[] = [];
  const skipped: string[] = [];
  for (const dialect of DIALECTS) {
    if (dialect !== 'postgres') {
      console.log(
        `- SQLite: better-sqlite3 ${readPackageVersion('better-sqlite3')}, temp file`,
      );
      dialects.push(dialect);
      continue;
    }
    try {
      console.log(`- ${await postgresVersion()}`);
      dialects.push(dialect);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.log(
        `- PostgreSQL at ${redact(PG_URL)}: unreachable (${reason}), skipped`,
      );
      skipped.push(`postgres: skipped, server unreachable (${reason})`);
    }
  }
  console.log(
    `- sizes ${SIZES.join(', ')}; runs ${SIZES.map((n) => `${n}: ${runsFor(n)} module / ${naiveRunsFor(n)} naive`).join(', ')}\n`,
  );

  const rows: Row[] = [];
  const started = performance.now();
  for (const dialect of dialects) {
    for (const n of SIZES) {
      process.stdout.write(`${dialect} ${n}: `);
      const t = performance.now();
      const row = await benchSize(dialect, n);
      rows.push(row);
      console.log(
        ` ${((performance.now() - t) / 1000).toFixed(1)} s${row.error ? ` ERROR ${row.error}` : ''}`,
      );
    }
  }
  printReport(rows, skipped);
  console.log(
    `\n- total ${((performance.now() - started) / 1000).toFixed(0)} s, load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

function readPackageVersion(name: string): string {
  try {
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string })
      .version;
  } catch {
    return '?';
  }
}

main().catch(async (error: unknown) => {
  console.error(error);
  await Promise.allSettled([...cleanups].map((c) => c()));
  process.exitCode = 1;
});

/**
 * The systems of the ingest bench at one size, on one server process and
 * one database: `POST /campaign` as JSON and as CSV (the real app over HTTP,
 * harness/campaign-app.ts) and the COPY floor from this process. Server RSS
 * is the server process's own peak (reset before each request), apart from
 * this client's.
 */
import { Client } from 'pg';
import type { CampaignAppConfig } from '../harness/campaign-app';
import { Child } from '../harness/child';
import {
  csvBody,
  jsonBody,
  makeContacts,
  type BenchContact,
} from '../harness/contacts';
import type { BenchDatabase } from '../harness/database';
import { post } from '../harness/http';
import type { System } from '../harness/interleave';
import { peakRssMb, resetPeakRss } from '../harness/rss';
import { copyFloor } from './copy-floor';

export interface IngestResult {
  ms: number;
  serverPeakMb: number;
  clientPeakMb: number;
  /** Set when the server refused this size or format (4xx). */
  unsupported?: string;
}

interface Account {
  accountId: string;
  token: string;
  playbookId: string;
}

type Format = 'JSON' | 'CSV';

/**
 * The CSV request: `Content-Type: text/csv`, a header line of contact
 * fields, the playbook and recall in the query. Adjust here once the CSV
 * upload lands, if its shape differs.
 */
function request(format: Format, account: Account, contacts: BenchContact[]) {
  return format === 'JSON'
    ? { path: '/campaign', body: jsonBody(account.playbookId, contacts) }
    : {
        path: `/campaign?playbook_id=${account.playbookId}&recall=30,120`,
        body: csvBody(contacts),
        contentType: 'text/csv',
      };
}

export class SizeRuns {
  private constructor(
    private readonly server: Child,
    private readonly port: number,
    private readonly pg: Client,
  ) {}

  static async start(
    db: BenchDatabase,
    maxContacts: number,
  ): Promise<SizeRuns> {
    const config: CampaignAppConfig = {
      database: db.options,
      migrate: true,
      http: true,
      options: {
        scheduler: { enabled: false },
        maxContactsPerCampaign: maxContacts,
        maxBodyBytes: Math.max(16 * 2 ** 20, maxContacts * 256),
      },
      dialer: null,
    };
    const server = new Child('harness/campaign-app.ts', config);
    const { port } = await server.wait<{ port: number }>('ready');
    const pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
    return new SizeRuns(server, port, pg);
  }

  async close(): Promise<void> {
    await this.pg.end().catch(() => undefined);
    await this.server.stop().catch(() => this.server.kill());
  }

  private account(): Promise<Account> {
    return this.server.ask<Account>({ type: 'account' });
  }

  /** One request to warm the server (JIT, pool, prepared statements); not measured. */
  async warmUp(n: number): Promise<void> {
    const account = await this.account();
    const r = request('JSON', account, makeContacts(n));
    await post(this.port, r.path, account.token, r.body);
  }

  systems(n: number): System<IngestResult>[] {
    return [
      { name: 'module, JSON', run: () => this.viaHttp('JSON', n) },
      { name: 'module, CSV', run: () => this.viaHttp('CSV', n) },
      { name: 'floor (COPY)', run: () => this.viaCopy(n) },
    ];
  }

  private async viaHttp(format: Format, n: number): Promise<IngestResult> {
    // Fresh phones and a fresh account every run: every run measures inserts.
    const account = await this.account();
    const r = request(format, account, makeContacts(n));
    resetPeakRss(this.server.pid);
    resetPeakRss(process.pid);
    const started = performance.now();
    const res = await post(
      this.port,
      r.path,
      account.token,
      r.body,
      r.contentType,
    );
    const ms = performance.now() - started;
    const result = {
      ms,
      serverPeakMb: peakRssMb(this.server.pid),
      clientPeakMb: peakRssMb(process.pid),
    };
    if (res.status >= 400 && res.status < 500) {
      return { ...result, unsupported: `not supported (status ${res.status})` };
    }
    if (res.status !== 202) {
      throw new Error(
        `POST /campaign (${format}) answered ${res.status || res.body}: ${res.body.slice(0, 300)}`,
      );
    }
    const created = JSON.parse(res.body) as { contacts: number; calls: number };
    if (created.contacts !== n || created.calls !== n) {
      throw new Error(
        `${format}: ${created.contacts} contacts / ${created.calls} calls for ${n}`,
      );
    }
    return result;
  }

  private async viaCopy(n: number): Promise<IngestResult> {
    const account = await this.account();
    const contacts = makeContacts(n);
    resetPeakRss(process.pid);
    const started = performance.now();
    await copyFloor(this.pg, account, contacts);
    return {
      ms: performance.now() - started,
      serverPeakMb: NaN,
      clientPeakMb: peakRssMb(process.pid),
    };
  }
}

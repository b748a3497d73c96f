/**
 * The claim's plan after a mass of scheduled campaigns starts (issue 12):
 * 20 000 scheduled campaigns of 3 calls each, planner statistics taken
 * while they were scheduled (as after their creation), then one tick of the
 * real dialing loop activates them (and claims once); then the claim
 * statement the loop runs is shown with EXPLAIN (ANALYZE, BUFFERS), in a
 * transaction rolled back.
 *
 *   node -r ./scripts/swc-register.cjs scripts/claim-plan-explain.ts
 *
 * A diagnosis, not a test. Uses BENCH_DATABASE_URL's server (as the
 * benchmarks do) and drops the database it creates.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSourceOptions, Logger as TypeOrmLogger } from 'typeorm';
import {
  CAMPAIGN_DATA_SOURCE,
  CAMPAIGN_ENTITIES,
  CampaignModule,
  DialingLoopService,
} from '../lib';
import { createPostgresDatabase, withClient } from '../bench/harness/database';
import { migrateCampaignTables } from '../bench/harness/migrate';

const CAMPAIGNS = 20_000;
const CALLS_EACH = 3;

/** The claim statement as the loop sends it, caught on its way. */
const caught: { sql: string; params: unknown[] }[] = [];
const catcher: TypeOrmLogger = {
  logQuery: (sql, params) => {
    if (/^\s*SELECT c\.id, c\.campaign_id/.test(sql)) {
      caught.push({ sql, params: Array.isArray(params) ? params : [] });
    }
  },
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  logSchemaBuild: () => undefined,
  logMigration: () => undefined,
  log: () => undefined,
};

async function main(): Promise<void> {
  const db = await createPostgresDatabase();
  try {
    await migrateCampaignTables(db);
    await withClient(db.url, async (client) => {
      await client.query(
        `INSERT INTO campaigns (id, account_id, playbook_id, status, launch_at, recall,
           contacts_count, calls_count, duplicates_count)
         SELECT gen_random_uuid(), 'acct-' || (i % 50), gen_random_uuid(), 'scheduled',
           now() + interval '3 seconds', '[]', $2, $2, 0
         FROM generate_series(1, $1) i`,
        [CAMPAIGNS, CALLS_EACH],
      );
      await client.query(
        `INSERT INTO campaign_contacts (id, account_id, phone)
         SELECT gen_random_uuid(), k.account_id, '+3461' || lpad((row_number() OVER ())::text, 7, '0')
         FROM campaigns k, generate_series(1, $1)`,
        [CALLS_EACH],
      );
      await client.query(
        `INSERT INTO campaign_calls (id, campaign_id, account_id, contact_id, status, due_at, recall)
         SELECT gen_random_uuid(), k.id, k.account_id, ct.id, 'queued', k.launch_at, '[]'
         FROM (SELECT id, account_id, launch_at, row_number() OVER (ORDER BY id) AS n FROM campaigns) k
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM campaign_contacts) ct
           ON (ct.n - 1) / $1 + 1 = k.n`,
        [CALLS_EACH],
      );
      // Statistics as they stand after the campaigns were created.
      await client.query(
        'ANALYZE campaigns, campaign_calls, campaign_contacts',
      );
    });
    await sleep(3_500);

    @Module({
      imports: [
        TypeOrmModule.forRoot({
          ...db.options,
          entities: CAMPAIGN_ENTITIES,
          synchronize: false,
          logging: ['query'],
          logger: catcher,
        } as DataSourceOptions),
        CampaignModule.forRoot({
          dialer: { dial: async () => ({ outcome: 'answered' }) },
          callingWindow: {
            start: '00:00',
            end: '24:00',
            days: [1, 2, 3, 4, 5, 6, 7],
          },
          callingRules: { builtIn: false },
          scheduler: { enabled: false, maxInFlightPerAccount: 1_000_000 },
        }),
      ],
    })
    class ExplainModule {}

    const app = await NestFactory.createApplicationContext(ExplainModule, {
      logger: ['error', 'warn'],
    });
    try {
      const report = await app.get(DialingLoopService).tick();
      process.stdout.write(
        `tick: ${report.activated} campaigns started, ${report.started} calls dialed\n`,
      );
      await app.get(DialingLoopService).drain();
      // The statistics refresh (if any) runs in the background.
      await sleep(2_000);
      const claim = caught.at(-1);
      if (!claim) throw new Error('no claim statement seen');
      const dataSource =
        app.get<import('typeorm').DataSource>(CAMPAIGN_DATA_SOURCE);
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        const rows = (await runner.query(
          `EXPLAIN (ANALYZE, BUFFERS) ${claim.sql}`,
          claim.params,
        )) as { 'QUERY PLAN': string }[];
        process.stdout.write(
          `${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`,
        );
        await runner.rollbackTransaction();
      } finally {
        await runner.release();
      }
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);

import type {
  DynamicModule,
  INestApplication,
  ModuleMetadata,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource, DataSourceOptions } from 'typeorm';
import {
  ApiTokenService,
  CAMPAIGN_DATA_SOURCE,
  CAMPAIGN_ENTITIES,
  CampaignModule,
  campaignBodyParser,
  getCampaignMigrations,
  PlaybookService,
  type CampaignModuleExtras,
  type CampaignModuleOptions,
} from '../../lib';
import {
  createTestDatabase,
  type TestDatabase,
  type TestDialect,
} from './test-database';

export interface TestApp {
  app: INestApplication;
  dataSource: DataSource;
  accountId: string;
  token: string;
  playbookId: string;
  /** An agent bound to the app's HTTP server. */
  http(): ReturnType<typeof request>;
  /** POST /campaign as the seeded account. */
  post(body: unknown): request.Test;
  /** Rows of a table, for assertions. */
  rows<T = Record<string, unknown>>(table: string): Promise<T[]>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

export type TestPlatform = 'express' | 'fastify';

const ALL_PLATFORMS: readonly TestPlatform[] = ['express', 'fastify'];

/** HTTP platforms the HTTP suites run on; override with TEST_PLATFORMS=express. */
export const TEST_PLATFORMS: TestPlatform[] = (() => {
  const wanted = (process.env.TEST_PLATFORMS ?? '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  for (const p of wanted) {
    if (!ALL_PLATFORMS.includes(p as TestPlatform)) {
      throw new Error(`TEST_PLATFORMS contains unknown platform "${p}"`);
    }
  }
  return wanted.length
    ? ALL_PLATFORMS.filter((p) => wanted.includes(p))
    : [...ALL_PLATFORMS];
})();

/**
 * The (dialect, platform) pairs of the HTTP suites, for `describe.each`:
 * every database on the first platform, and each other platform once, on
 * PostgreSQL when it is in the run (else the first database). The platform
 * is the host's HTTP layer and the database the module's storage; they do
 * not meet, so their full cross product adds time, not cover.
 * TEST_HTTP_MATRIX=full runs every pair.
 */
export function httpMatrix(
  dialects: readonly TestDialect[],
): [TestDialect, TestPlatform][] {
  const [first, ...others] = TEST_PLATFORMS;
  if (process.env.TEST_HTTP_MATRIX === 'full') {
    return dialects.flatMap((d) =>
      TEST_PLATFORMS.map((p): [TestDialect, TestPlatform] => [d, p]),
    );
  }
  const pairs = dialects.map((d): [TestDialect, TestPlatform] => [d, first]);
  const host = dialects.includes('postgres') ? 'postgres' : dialects[0];
  if (host === undefined) return pairs;
  return [
    ...pairs,
    ...others.map((p): [TestDialect, TestPlatform] => [host, p]),
  ];
}

export interface TestAppConfig {
  /** HTTP platform of the app. Default express. */
  platform?: TestPlatform;
  /** Register `campaignBodyParser()` as a host following the README would. Default true. */
  campaignBodyParser?: boolean;
  options?: CampaignModuleOptions;
  /** forRoot's extras beside the options (routePrefix, dashboard...). */
  extras?: CampaignModuleExtras;
  /** `app.setGlobalPrefix(...)` of the host. Default none. */
  globalPrefix?: string;
  /** Replace the module import (forRootAsync variants, host authenticate). */
  campaignModule?: DynamicModule;
  imports?: ModuleMetadata['imports'];
  /** A database the caller made (and drops): for two apps on one database. */
  database?: TestDatabase;
}

export const ACCOUNT_ID = 'acct-test';

export function dataSourceOptionsFor(
  options: DataSourceOptions,
): DataSourceOptions {
  return {
    ...options,
    entities: CAMPAIGN_ENTITIES,
    migrations: getCampaignMigrations(options.type),
    migrationsRun: true,
    synchronize: false,
  } as DataSourceOptions;
}

/** A Nest app with the real module on a fresh database, as a host would build it. */
export async function createTestApp(
  dialect: TestDialect,
  config: TestAppConfig = {},
): Promise<TestApp> {
  const database = config.database ?? (await createTestDatabase(dialect));
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot(dataSourceOptionsFor(database.options)),
      config.campaignModule ??
        CampaignModule.forRoot({ ...config.options, ...config.extras }),
      ...(config.imports ?? []),
    ],
  }).compile();
  moduleRef.useLogger(false);
  const app =
    config.platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter())
      : moduleRef.createNestApplication();
  if (config.globalPrefix) app.setGlobalPrefix(config.globalPrefix);
  if (config.campaignBodyParser !== false) app.use(campaignBodyParser());
  await app.init();
  if (config.platform === 'fastify') {
    await (
      app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }
    ).ready();
  }
  const dataSource = app.get<DataSource>(CAMPAIGN_DATA_SOURCE);
  const { token } = await app
    .get(ApiTokenService)
    .issue(ACCOUNT_ID, { name: 'test' });
  const playbook = await app
    .get(PlaybookService)
    .register({ accountId: ACCOUNT_ID, name: 'Test playbook' });
  const server = app.getHttpServer();
  return {
    app,
    dataSource,
    accountId: ACCOUNT_ID,
    token,
    playbookId: playbook.id,
    http: () => request(server),
    post: (body) =>
      request(server)
        .post('/campaign')
        .set('Authorization', `Bearer ${token}`)
        .send(body as object),
    rows: (table) => dataSource.query(`SELECT * FROM ${table}`),
    count: async (table) => {
      const [row] = (await dataSource.query(
        `SELECT COUNT(*) AS n FROM ${table}`,
      )) as { n: string | number }[];
      return Number(row.n);
    },
    close: async () => {
      await app.close();
      if (!config.database) await database.drop();
    },
  };
}

/** Tables that a rejected request must leave as they were. */
export const WRITTEN_TABLES = [
  'campaigns',
  'campaign_calls',
  'campaign_contacts',
] as const;

export async function countWritten(app: TestApp): Promise<number[]> {
  return Promise.all(WRITTEN_TABLES.map((t) => app.count(t)));
}

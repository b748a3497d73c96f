import type {
  DynamicModule,
  INestApplication,
  ModuleMetadata,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource, DataSourceOptions } from 'typeorm';
import {
  ApiTokenService,
  CAMPAIGN_DATA_SOURCE,
  CAMPAIGN_ENTITIES,
  CampaignModule,
  campaignJsonBodyParser,
  getCampaignMigrations,
  PlaybookService,
  type CampaignModuleOptions,
} from '../../lib';
import { createTestDatabase, type TestDialect } from './test-database';

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

export interface TestAppConfig {
  options?: CampaignModuleOptions;
  /** Replace the module import (forRootAsync variants, host authenticate). */
  campaignModule?: DynamicModule;
  imports?: ModuleMetadata['imports'];
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
  const database = await createTestDatabase(dialect);
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot(dataSourceOptionsFor(database.options)),
      config.campaignModule ?? CampaignModule.forRoot(config.options ?? {}),
      ...(config.imports ?? []),
    ],
  }).compile();
  moduleRef.useLogger(false);
  const app = moduleRef.createNestApplication({ bodyParser: false });
  app.use(campaignJsonBodyParser());
  await app.init();
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
      await database.drop();
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

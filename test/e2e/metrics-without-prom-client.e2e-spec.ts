import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CampaignMetricsService, CampaignModule } from '../../lib';
import { createLoopTestApp, type LoopTestApp } from '../support/loop-test-app';
import { dataSourceOptionsFor } from '../support/test-app';
import { createTestDatabase, TEST_DIALECTS } from '../support/test-database';

// prom-client is an optional peer: here it is not installed.
jest.mock('prom-client', () => {
  throw Object.assign(new Error("Cannot find module 'prom-client'"), {
    code: 'MODULE_NOT_FOUND',
  });
});

type PromClient = typeof import('prom-client');

describe.each(TEST_DIALECTS)('without prom-client (%s)', (dialect) => {
  let t: LoopTestApp | undefined;
  afterEach(() => t?.close());

  it('boots, takes campaigns and dials with metrics unset, registering nothing', async () => {
    await expect(import('prom-client')).rejects.toThrow('Cannot find module');
    t = await createLoopTestApp(dialect);
    expect(t.app.get(CampaignMetricsService).enabled).toBe(false);
    await t
      .post({
        playbook_id: t.playbookId,
        contacts: [{ phone: '+34600000001' }, { phone: '+34600000002' }],
      })
      .expect(202);
    expect(await t.round()).toMatchObject({ started: 2 });
    expect(t.dialer.dials).toHaveLength(2);
    const { register } = jest.requireActual<PromClient>('prom-client');
    expect(register.getMetricsAsArray()).toHaveLength(0);
  });

  it('fails the boot with what to install when metrics are asked for', async () => {
    const database = await createTestDatabase(dialect);
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot(dataSourceOptionsFor(database.options)),
        CampaignModule.forRoot({ metrics: {}, scheduler: { enabled: false } }),
      ],
    }).compile();
    moduleRef.useLogger(false);
    const app = moduleRef.createNestApplication();
    try {
      await expect(app.init()).rejects.toThrow(
        'CampaignModule option "metrics" needs prom-client (npm install prom-client)',
      );
    } finally {
      const dataSource = moduleRef.get(DataSource);
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    }
  });
});

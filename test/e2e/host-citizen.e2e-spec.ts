import {
  Inject,
  Injectable,
  Module,
  type INestApplication,
} from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Interval, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiTokenService,
  BearerAuthGuard,
  CAMPAIGN_CLOCK,
  CAMPAIGN_EXPORTED_SERVICES,
  CAMPAIGN_EXPORTED_TOKENS,
  CAMPAIGN_OPTIONS,
  CAMPAIGN_SCHEDULER_REGISTRY,
  CallOutcomeService,
  CallingRulesService,
  CampaignCreationService,
  CampaignEventRelayService,
  CampaignEventsService,
  CampaignLifecycleService,
  CampaignListService,
  CampaignMetricsService,
  CampaignModule,
  CampaignQueryService,
  CampaignRetentionService,
  DialingLoopService,
  DoNotCallService,
  IdempotencyKeyService,
  PlaybookService,
  SimulatedDialer,
  WebhookDeliveryWorker,
  WebhookEndpointService,
  type CampaignClock,
  type CampaignModuleOptions,
  type ResolvedCampaignOptions,
} from '../../lib';
import { dataSourceOptionsFor } from '../support/test-app';
import {
  createTestDatabase,
  TEST_DIALECTS,
  type TestDatabase,
} from '../support/test-database';

/** A host job, as every host with `@Interval` has. */
@Injectable()
class HostJob {
  fired = 0;
  @Interval('host-job', 100)
  run(): void {
    this.fired++;
  }
}

/** A host provider that takes every exported service by constructor. */
@Injectable()
class HostUsesEverything {
  constructor(
    readonly tokens: ApiTokenService,
    readonly playbooks: PlaybookService,
    readonly creation: CampaignCreationService,
    readonly queries: CampaignQueryService,
    readonly lists: CampaignListService,
    readonly lifecycle: CampaignLifecycleService,
    readonly outcomes: CallOutcomeService,
    readonly events: CampaignEventsService,
    readonly relay: CampaignEventRelayService,
    readonly doNotCall: DoNotCallService,
    readonly idempotency: IdempotencyKeyService,
    readonly retention: CampaignRetentionService,
    readonly loop: DialingLoopService,
    readonly callingRules: CallingRulesService,
    readonly metrics: CampaignMetricsService,
    readonly webhooks: WebhookEndpointService,
    readonly webhookWorker: WebhookDeliveryWorker,
    readonly guard: BearerAuthGuard,
    @Inject(CAMPAIGN_OPTIONS) readonly options: ResolvedCampaignOptions,
    @Inject(CAMPAIGN_CLOCK) readonly clock: CampaignClock,
  ) {}

  static readonly INJECTED = 20;
}

const dialer = () => new SimulatedDialer({ latencyMs: [1, 2] });

describe.each(TEST_DIALECTS)('CampaignModule in a host app (%s)', (dialect) => {
  let database: TestDatabase;
  const apps: INestApplication[] = [];
  // A boot that fails leaves its data source open: closed here.
  const dataSources: Promise<DataSource>[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    for (const opening of await Promise.allSettled(dataSources)) {
      if (opening.status === 'fulfilled' && opening.value.isInitialized) {
        await opening.value.destroy();
      }
    }
    await database.drop();
  });

  const boot = async (imports: unknown[], providers: unknown[] = []) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptionsFor(database.options),
            retryAttempts: 0,
          }),
          dataSourceFactory: (options?: DataSourceOptions) => {
            const opening = new DataSource(
              options as DataSourceOptions,
            ).initialize();
            dataSources.push(opening);
            return opening;
          },
        }),
        ...(imports as never[]),
      ],
      providers: providers as never[],
    }).compile();
    moduleRef.useLogger(false);
    const app = moduleRef.createNestApplication();
    apps.push(app);
    await app.init();
    return app;
  };

  const count = (app: INestApplication, token: unknown): number =>
    [...app.get(ModulesContainer).values()].filter((module) =>
      module.providers.has(token as never),
    ).length;
  const scheduleModules = (app: INestApplication): number =>
    [...app.get(ModulesContainer).values()].filter(
      (module) => module.metatype === ScheduleModule,
    ).length;

  it("runs the host's scheduled jobs once, and puts its loop in the host's registry", async () => {
    const app = await boot(
      [
        ScheduleModule.forRoot(),
        CampaignModule.forRoot({
          dialer: dialer(),
          scheduler: { tickIntervalMs: 50 },
        }),
      ],
      [HostJob],
    );
    expect(scheduleModules(app)).toBe(1);
    const loop = app.get(DialingLoopService);
    expect(
      app.get(SchedulerRegistry).doesExist('interval', loop.intervalName),
    ).toBe(true);
    const job = app.get(HostJob);
    const before = job.fired;
    await sleep(1_000);
    // 100 ms apart: about 10 in a second, never the ~20 of two explorers.
    expect(job.fired - before).toBeLessThanOrEqual(14);
    await app.close();
  });

  it('runs its loop without the host importing ScheduleModule', async () => {
    const app = await boot([CampaignModule.forRoot({ dialer: dialer() })]);
    expect(scheduleModules(app)).toBe(0);
    const loop = app.get(DialingLoopService);
    const registry = app.get<SchedulerRegistry>(CAMPAIGN_SCHEDULER_REGISTRY);
    expect(registry.doesExist('interval', loop.intervalName)).toBe(true);
    await app.close();
    expect(registry.doesExist('interval', loop.intervalName)).toBe(false);
  });

  it('fails the boot when two feature modules each call forRoot', async () => {
    @Module({ imports: [CampaignModule.forRoot({ dialer: dialer() })] })
    class SalesModule {}
    @Module({ imports: [CampaignModule.forRoot({ dialer: dialer() })] })
    class SupportModule {}
    await expect(boot([SalesModule, SupportModule])).rejects.toThrow(
      /CampaignModule is imported 2 times in one application.*isGlobal: true/,
    );
  });

  it('one import shared by feature modules is one module and one loop', async () => {
    const campaigns = CampaignModule.forRoot({ dialer: dialer() });
    @Module({ imports: [campaigns] })
    class SalesModule {}
    @Module({ imports: [campaigns] })
    class SupportModule {}
    const app = await boot([SalesModule, SupportModule]);
    expect(count(app, DialingLoopService)).toBe(1);
    await app.close();
  });

  it('isGlobal: feature modules inject its services without importing it', async () => {
    @Module({ providers: [HostUsesEverything], exports: [HostUsesEverything] })
    class FeatureModule {}
    const app = await boot([
      CampaignModule.forRoot({ isGlobal: true, scheduler: { enabled: false } }),
      FeatureModule,
    ]);
    const host = app.get(HostUsesEverything);
    expect(host.queries).toBeInstanceOf(CampaignQueryService);
    await app.close();
  });

  it('every service of the export list (and the README) is injectable by constructor', async () => {
    const app = await boot(
      [CampaignModule.forRoot({ scheduler: { enabled: false } })],
      [HostUsesEverything],
    );
    const host = app.get(HostUsesEverything);
    const injected = Object.values(host) as unknown[];
    expect(injected).toHaveLength(HostUsesEverything.INJECTED);
    expect(HostUsesEverything.INJECTED).toBe(
      CAMPAIGN_EXPORTED_SERVICES.length + CAMPAIGN_EXPORTED_TOKENS.length,
    );
    for (const service of CAMPAIGN_EXPORTED_SERVICES) {
      expect(injected.some((value) => value instanceof service)).toBe(true);
    }
    await expect(host.idempotency.purgeExpired()).resolves.toBeDefined();

    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const section = readme.split('### Exported services')[1].split('\n## ')[0];
    const listed = new Set(
      [...section.matchAll(/`([A-Z]\w+(?:Service|Guard|Worker))\b/g)].map(
        (m) => m[1],
      ),
    );
    expect([...listed].sort()).toEqual(
      CAMPAIGN_EXPORTED_SERVICES.map((s) => s.name).sort(),
    );
    await app.close();
  });

  it('takes options straight from process.env: unset means the default', async () => {
    const env: Record<string, string | undefined> = {};
    const app = await boot([
      CampaignModule.forRoot({
        defaultTimezone: env.CAMPAIGN_TZ,
        scheduler: {
          enabled: false,
          replicaId: env.REPLICA_ID,
          tickIntervalMs: undefined,
        },
      }),
    ]);
    const options = app.get<ResolvedCampaignOptions>(CAMPAIGN_OPTIONS);
    expect(options.scheduler.tickIntervalMs).toBe(1_000);
    expect(options.scheduler.replicaId.length).toBeGreaterThan(0);
    expect(options.defaultTimezone).toBe('UTC');
    await app.close();
  });

  it('fails the boot on a misspelt option, naming it', async () => {
    await expect(
      boot([
        CampaignModule.forRoot({
          schedular: { enabled: false },
        } as CampaignModuleOptions),
      ]),
    ).rejects.toThrow('Unknown CampaignModule option "schedular"');
    await expect(
      boot([
        CampaignModule.forRootAsync({
          useFactory: () =>
            ({ scheduler: { batchsize: 10 } }) as CampaignModuleOptions,
        }),
      ]),
    ).rejects.toThrow('Unknown CampaignModule option "scheduler.batchsize"');
  });
});

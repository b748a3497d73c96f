import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  CAMPAIGN_DATA_SOURCE,
  CampaignModule,
  WebhookDeliveryWorker,
  WebhookEndpointService,
} from '../../lib';
import {
  campaignEvent,
  enqueueEvents,
  eventually,
} from '../support/webhook-events';
import {
  startWebhookTarget,
  type WebhookTarget,
} from '../support/webhook-target.server';
import { dataSourceOptionsFor } from '../support/test-app';
import {
  createTestDatabase,
  describeEachServer,
  type TestDatabase,
} from '../support/test-database';

const ACCOUNT = 'acct-replicas';
const MAX_PER_ENDPOINT = 2;

/**
 * Two app instances (two connection pools, two delivery workers polling on
 * their timers) on one database server share the deliveries: no delivery
 * is ever sent twice, nor more than `maxPerEndpoint` at once to an endpoint.
 */
describeEachServer(
  'webhook workers of two replicas on one %s database',
  (dialect) => {
    let database: TestDatabase;
    let target: WebhookTarget;
    const apps: INestApplication[] = [];

    const boot = async (replicaId: string) => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          TypeOrmModule.forRoot(dataSourceOptionsFor(database.options)),
          CampaignModule.forRoot({
            scheduler: { replicaId },
            webhooks: {
              allowHttp: true,
              allowPrivateTargets: true,
              pollIntervalMs: 5,
              maxConcurrency: 4,
              maxPerEndpoint: MAX_PER_ENDPOINT,
            },
          }),
        ],
      }).compile();
      moduleRef.useLogger(false);
      const app = moduleRef.createNestApplication();
      await app.init();
      apps.push(app);
      return app;
    };

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      target = await startWebhookTarget();
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      await target.close();
      await database.drop();
    });

    it('never sends one delivery twice, nor too many at once to one endpoint', async () => {
      const open = new Map<string, number>();
      const maxOpen = new Map<string, number>();
      target.behave((request, res) => {
        const n = (open.get(request.path) ?? 0) + 1;
        open.set(request.path, n);
        maxOpen.set(request.path, Math.max(maxOpen.get(request.path) ?? 0, n));
        setTimeout(() => {
          open.set(request.path, open.get(request.path)! - 1);
          res.writeHead(200).end();
        }, 15);
      });
      const a = await boot('replica-a');
      const b = await boot('replica-b');
      const dataSource = a.get<DataSource>(CAMPAIGN_DATA_SOURCE);
      const endpoints = a.get(WebhookEndpointService);
      const paths = ['/one', '/two', '/three'];
      for (const path of paths) {
        await endpoints.create(ACCOUNT, { url: target.url(path) });
      }
      const events = Array.from({ length: 30 }, () => campaignEvent(ACCOUNT));
      await enqueueEvents(a, dataSource, events);
      const total = events.length * paths.length;
      await eventually(async () => {
        const [row] = (await dataSource.query(
          `SELECT COUNT(*) AS n FROM campaign_webhook_deliveries WHERE status = 'delivered'`,
        )) as { n: string }[];
        return Number(row.n) === total;
      }, 30_000);
      await a.get(WebhookDeliveryWorker).drain();
      await b.get(WebhookDeliveryWorker).drain();

      const sent = target.received.map(
        (r) => `${r.path} ${String(r.headers['webhook-id'])}`,
      );
      expect(sent).toHaveLength(total);
      expect(new Set(sent).size).toBe(total);
      const rows = (await dataSource.query(
        `SELECT attempts FROM campaign_webhook_deliveries`,
      )) as { attempts: number | string }[];
      expect(rows.every((r) => Number(r.attempts) === 1)).toBe(true);
      const [tries] = (await dataSource.query(
        `SELECT COUNT(*) AS n FROM campaign_webhook_attempts`,
      )) as { n: number | string }[];
      expect(Number(tries.n)).toBe(total);
      for (const path of paths) {
        expect(maxOpen.get(path)).toBeLessThanOrEqual(MAX_PER_ENDPOINT);
      }
    });
  },
);

/**
 * A host app in its own process: Nest with TypeORM and the real
 * `CampaignModule.forRoot(...)`, on the public API of lib/ only. With
 * `http` it listens on 127.0.0.1 (POST /campaign); with a `dialer` the
 * dialing loop runs and every dial is noted (and, with `reportEachDial`,
 * sent to the parent at once).
 *
 * Requests from the parent (each answered with a message of the same type):
 *   account   a new account: API token and playbook
 *   create    campaigns of fresh contacts through CampaignCreationService
 *   memory    process.memoryUsage() after a full GC (with --expose-gc)
 *   stop      close the app (the loop drains), answer with the dials
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSourceOptions } from 'typeorm';
import {
  ApiTokenService,
  CAMPAIGN_ENTITIES,
  CampaignCreationService,
  CampaignModule,
  PlaybookService,
  campaignBodyParser,
  getCampaignMigrations,
  type CampaignDialer,
  type CampaignModuleOptions,
} from '../../lib';
import { childConfig, failChild, nowMs, serve, toParent } from './child';
import { RECALL, makeContacts } from './contacts';

export interface CampaignAppConfig {
  database: DataSourceOptions;
  migrate: boolean;
  http: boolean;
  /** Module options, without the dialer. */
  options: Omit<CampaignModuleOptions, 'dialer'>;
  /** No dialer (the loop does not run), or one answering after `delayMs`. */
  dialer: { delayMs: number; reportEachDial?: boolean } | null;
}

export interface CreateRequest {
  type: 'create';
  accountId: string;
  playbookId: string;
  /** Contacts of each campaign. */
  campaigns: number[];
  launchAt: number | null;
}

export interface Dials {
  type: 'stop';
  ids: string[];
  times: number[];
}

const ids: string[] = [];
const times: number[] = [];

function dialerOf(
  spec: NonNullable<CampaignAppConfig['dialer']>,
): CampaignDialer {
  return {
    async dial(request) {
      const at = nowMs();
      ids.push(request.callId);
      times.push(at);
      if (spec.reportEachDial) {
        void toParent({ type: 'dial', campaignId: request.campaignId, at });
      }
      if (spec.delayMs > 0) await sleep(spec.delayMs);
      return { providerCallId: `bench-${request.callId}`, outcome: 'answered' };
    },
  };
}

async function main(config: CampaignAppConfig): Promise<void> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        ...config.database,
        entities: CAMPAIGN_ENTITIES,
        migrations: getCampaignMigrations(config.database.type),
        migrationsRun: config.migrate,
        synchronize: false,
        logging: false,
      } as DataSourceOptions),
      CampaignModule.forRoot({
        ...config.options,
        ...(config.dialer ? { dialer: dialerOf(config.dialer) } : {}),
      }),
    ],
  })
  class BenchHostModule {}

  const logger: ('error' | 'warn')[] = ['error'];
  let port = 0;
  const app = config.http
    ? await NestFactory.create<NestExpressApplication>(BenchHostModule, {
        logger,
      })
    : await NestFactory.createApplicationContext(BenchHostModule, { logger });
  if (config.http) {
    const web = app as NestExpressApplication;
    web.use(campaignBodyParser());
    await web.listen(0, '127.0.0.1');
    port = (web.getHttpServer().address() as AddressInfo).port;
  }

  serve(async (message) => {
    switch (message.type) {
      case 'account': {
        const accountId = `bench-${randomUUID().slice(0, 8)}`;
        const { token } = await app
          .get(ApiTokenService)
          .issue(accountId, { name: 'bench' });
        const playbook = await app
          .get(PlaybookService)
          .register({ accountId, name: 'Bench playbook' });
        return { type: 'account', accountId, token, playbookId: playbook.id };
      }
      case 'create': {
        const request = message as unknown as CreateRequest;
        const creation = app.get(CampaignCreationService);
        for (const size of request.campaigns) {
          await creation.create(
            { id: request.accountId },
            {
              playbookId: request.playbookId,
              contacts: makeContacts(size).map(({ phone, ...fields }) => ({
                phone,
                fields,
              })),
              launchAt:
                request.launchAt === null ? null : new Date(request.launchAt),
              recall: [...RECALL],
            },
          );
        }
        return { type: 'create' };
      }
      case 'memory':
        (globalThis as { gc?: () => void }).gc?.();
        return { type: 'memory', ...process.memoryUsage() };
      case 'stop':
        await app.close();
        return { type: 'stop', ids, times } satisfies Dials;
    }
  });
  await toParent({ type: 'ready', port });
}

main(childConfig<CampaignAppConfig>()).catch(failChild);

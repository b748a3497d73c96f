/**
 * One replica booting on a (possibly empty) PostgreSQL database, for the
 * concurrent-migrations test:
 *
 *   node -r ./scripts/swc-register.cjs test/support/migrate-main.ts
 *
 * with CC_MIGRATE_CONFIG (a MigrateConfig as JSON). It loads everything, says
 * `loaded` over IPC and waits for `go`, so the parent can start all replicas'
 * boots at the same instant. It then boots a Nest application context as a
 * multi-replica host would (TypeOrmModule.forRootAsync with
 * campaignDataSourceFactory, migrationsRun off, no TypeORM retry, so a
 * collision fails the boot), closes it and exits 0. It exits at once if the
 * parent goes away.
 */
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  CAMPAIGN_ENTITIES,
  CampaignModule,
  campaignDataSourceFactory,
  getCampaignMigrations,
} from '../../lib';
import {
  MIGRATE_CONFIG_ENV,
  type MigrateConfig,
  type MigrateMessage,
} from './migrate-process';

const config = JSON.parse(
  process.env[MIGRATE_CONFIG_ENV] ?? 'null',
) as MigrateConfig | null;
if (!config) throw new Error(`${MIGRATE_CONFIG_ENV} is not set`);

const send = (message: MigrateMessage): Promise<void> =>
  new Promise((done) => {
    if (process.send && process.connected) process.send(message, () => done());
    else done();
  });

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      useFactory: () => ({
        // A mysql:// URL is the MariaDB/MySQL leg (the module needs timezone 'Z' there).
        ...(config.databaseUrl.startsWith('mysql:')
          ? { type: 'mysql' as const, timezone: 'Z' }
          : { type: 'postgres' as const }),
        url: config.databaseUrl,
        entities: CAMPAIGN_ENTITIES,
        migrations: getCampaignMigrations(
          config.databaseUrl.startsWith('mysql:') ? 'mysql' : 'postgres',
        ),
        migrationsRun: false,
        synchronize: false,
        // Every failed query on the console, for the parent's checks.
        logging: ['error'],
        retryAttempts: 0,
      }),
      dataSourceFactory: campaignDataSourceFactory,
    }),
    CampaignModule.forRoot({ scheduler: { enabled: false } }),
  ],
})
class MigrateModule {}

let booting = false;

async function boot(): Promise<void> {
  booting = true;
  const app: INestApplicationContext =
    await NestFactory.createApplicationContext(MigrateModule, {
      logger: ['error', 'warn', 'log'],
      abortOnError: false,
    });
  await app.close();
  await send({ type: 'booted', name: config!.name });
  process.exit(0);
}

process.on('message', (message: MigrateMessage) => {
  if (message.type !== 'go' || booting) return;
  boot().catch((error: unknown) => {
    console.error('replica failed to boot', error);
    process.exit(2);
  });
});

// The parent is gone (test crashed or timed out): do not linger.
process.on('disconnect', () => process.exit(4));

void send({ type: 'loaded', name: config.name });

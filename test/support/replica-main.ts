/**
 * One app replica in its own Node process, for the multi-replica tests:
 *
 *   node -r ./scripts/swc-register.cjs test/support/replica-main.ts
 *
 * with CC_REPLICA_CONFIG (a ReplicaConfig as JSON). It boots a Nest
 * application context as a host would (TypeOrmModule on the shared test
 * database, migrations NOT run, and CampaignModule.forRoot with a dialer that
 * logs every dial to a file), tells the parent `ready` over IPC, dials until
 * SIGTERM, then shuts down gracefully (app.close(): the loop stops claiming
 * and waits for its dials) and exits 0. It exits at once if the parent goes
 * away, so a crashed test leaves no process behind.
 */
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { appendFileSync } from 'node:fs';
import {
  CAMPAIGN_ENTITIES,
  CampaignEventsService,
  CampaignModule,
  type CampaignDialer,
  type CampaignEvent,
} from '../../lib';
import { RetellDialer } from '../../lib/providers/retell';
import { TwilioDialer } from '../../lib/providers/twilio';
import { VapiDialer } from '../../lib/providers/vapi';
import { FileLoggedDialer } from './file-logged-dialer';
import {
  REPLICA_CONFIG_ENV,
  type ReplicaConfig,
  type ReplicaEventLine,
  type ReplicaMessage,
} from './replica-config';
import { ScaledClock } from './scaled-clock';

const config = JSON.parse(
  process.env[REPLICA_CONFIG_ENV] ?? 'null',
) as ReplicaConfig | null;
if (!config) throw new Error(`${REPLICA_CONFIG_ENV} is not set`);

const send = (message: ReplicaMessage, done?: () => void): void => {
  if (process.send && process.connected) {
    process.send(message, () => done?.());
  } else {
    done?.();
  }
};

function providerDialer(
  provider: NonNullable<ReplicaConfig['provider']>,
): CampaignDialer {
  switch (provider.name) {
    case 'retell':
      return new RetellDialer(provider);
    case 'vapi':
      return new VapiDialer({
        apiKey: provider.apiKey,
        serverAuth: { type: 'hmac', secretKey: provider.secret },
        baseUrl: provider.baseUrl,
      });
    case 'twilio':
      return new TwilioDialer({
        accountSid: provider.accountSid,
        authToken: provider.authToken,
        webhookBaseUrl: provider.webhookBaseUrl,
        apiBaseUrl: provider.baseUrl,
      });
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      // A mysql:// URL is the MariaDB/MySQL leg (the module needs timezone 'Z' there).
      ...(config.databaseUrl.startsWith('mysql:')
        ? { type: 'mysql' as const, timezone: 'Z' }
        : { type: 'postgres' as const }),
      url: config.databaseUrl,
      entities: CAMPAIGN_ENTITIES,
      migrationsRun: false,
      synchronize: false,
      retryAttempts: 0,
    }),
    CampaignModule.forRoot({
      dialer: config.provider
        ? providerDialer(config.provider)
        : new FileLoggedDialer({
            replica: config.replicaId,
            logFile: config.dialLog,
            latencyMs: config.latencyMs,
            outcomes: config.outcomes,
          }),
      clock: new ScaledClock(config.clockOrigin, config.clockFactor),
      defaultTimezone: config.defaultTimezone,
      callingWindow: {
        start: '00:00',
        end: '24:00',
        days: [1, 2, 3, 4, 5, 6, 7],
      },
      callingRules: config.callingRules ?? { builtIn: false },
      maxAttemptsPerContact: config.maxAttemptsPerContact,
      events: { leaseMs: config.eventLeaseMs, subscriberTimeoutMs: 1_000 },
      webhooks: config.webhooksToLocalReceivers
        ? { allowHttp: true, allowPrivateTargets: true, pollIntervalMs: 50 }
        : undefined,
      scheduler: {
        enabled: true,
        replicaId: config.replicaId,
        tickIntervalMs: config.tickIntervalMs,
        batchSize: config.batchSize,
        leaseMs: config.leaseMs,
        outcomeTimeoutMs: config.outcomeTimeoutMs,
        maxInFlight: config.maxInFlight,
        maxInFlightPerAccount: config.maxInFlightPerAccount,
        callsPerSecond: config.callsPerSecond,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
      },
    }),
  ],
})
class ReplicaModule {}

let closing = false;

async function main(): Promise<void> {
  const app: INestApplicationContext =
    await NestFactory.createApplicationContext(ReplicaModule, {
      logger: ['error', 'warn', 'log'],
      abortOnError: false,
    });
  process.once('SIGTERM', () => {
    closing = true;
    app.close().then(
      () =>
        send({ type: 'closed', replicaId: config!.replicaId }, () => {
          process.disconnect?.();
          // Exits by itself once nothing is left: a handle leaked by the
          // module would keep it alive and fail the parent's wait.
        }),
      (error: unknown) => {
        console.error('close failed', error);
        send(
          {
            type: 'close-failed',
            replicaId: config!.replicaId,
            error: String((error as Error)?.stack ?? error),
          },
          () => process.exit(3),
        );
      },
    );
  });
  if (config!.eventLog) logEvents(app, config!.eventLog, config!.crashOnEvent);
  send({ type: 'ready', replicaId: config!.replicaId, pid: process.pid });
}

/** Appends each durable event to the log (synchronously: it is on disk before a crash). */
function logEvents(
  app: INestApplicationContext,
  file: string,
  crashOn: string | undefined,
): void {
  app.get(CampaignEventsService).subscribe((event: CampaignEvent) => {
    if (!('sequence' in event)) return;
    const line: ReplicaEventLine = {
      replica: config!.replicaId,
      id: event.id,
      sequence: event.sequence,
      type: event.type,
      campaignId: event.campaignId,
      ...(event.type === 'call.finished'
        ? { callId: event.callId, attempts: event.attempts.length }
        : {}),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
    if (event.type === crashOn) process.kill(process.pid, 'SIGKILL');
  });
}

// The parent is gone (test crashed or timed out): do not linger.
process.on('disconnect', () => {
  if (!closing) process.exit(4);
});

main().catch((error: unknown) => {
  console.error('replica failed to start', error);
  process.exit(2);
});

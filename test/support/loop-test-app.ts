import {
  CampaignEventRelayService,
  DialingLoopService,
  type CallingWindow,
  type CampaignModuleExtras,
  type CampaignModuleOptions,
  type TickReport,
} from '../../lib';
import type { ModuleMetadata } from '@nestjs/common';
import { createTestApp, type TestApp, type TestPlatform } from './test-app';
import type { TestDatabase, TestDialect } from './test-database';
import { FakeClock } from './fake-clock';
import { ScriptedDialer } from './scripted-dialer';

export const MINUTE = 60_000;

/** Every hour of every day: tests that are not about windows ignore them. */
export const ALWAYS: CallingWindow = {
  start: '00:00',
  end: '24:00',
  days: [1, 2, 3, 4, 5, 6, 7],
};

/** A test app whose dialing loop the test drives by hand, on a fake clock. */
export interface LoopTestApp extends TestApp {
  clock: FakeClock;
  dialer: ScriptedDialer;
  loop: DialingLoopService;
  /** One tick, then every dial of it finished and recorded. */
  round(): Promise<TickReport>;
}

export async function createLoopTestApp(
  dialect: TestDialect,
  script: ConstructorParameters<typeof ScriptedDialer>[0] = {},
  options: CampaignModuleOptions = {},
  platform: TestPlatform = 'express',
  /** Host modules beside the campaign module (e.g. a host controller). */
  imports: ModuleMetadata['imports'] = [],
  /** forRoot's extras (routePrefix, dashboard...). */
  extras: CampaignModuleExtras = {},
  /** A database the caller made and drops (default: a fresh one). */
  database?: TestDatabase,
): Promise<LoopTestApp> {
  const clock = new FakeClock(new Date());
  const dialer = new ScriptedDialer(script);
  const app = await createTestApp(dialect, {
    platform,
    imports,
    extras,
    database,
    options: {
      dialer,
      clock,
      callingWindow: ALWAYS,
      // Tests that are not about calling rules run without them (their
      // numbers are dialed at whatever hour the suite runs).
      callingRules: { builtIn: false },
      ...options,
      scheduler: {
        enabled: false,
        leaseMs: 2 * MINUTE,
        batchSize: 50,
        ...options.scheduler,
      },
    },
  });
  // Set once the app is up (slow on a loaded machine): calls created from
  // now on are due by the fake time.
  clock.set(new Date(Date.now() + 5_000));
  const loop = app.app.get(DialingLoopService);
  const relay = app.app.get(CampaignEventRelayService);
  return {
    ...app,
    clock,
    dialer,
    loop,
    round: async () => {
      const report = await loop.tick();
      await loop.drain();
      await relay.drain();
      return report;
    },
  };
}

import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignModule, campaignDataSourceFactory } from '../lib';
import { CampaignHealthModule } from '../lib/health';
import { sampleDataSourceOptions } from './database-options';
import { DemoSeedService, SAMPLE_DIALER } from './demo-seed.service';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { sampleDialer } from './sample-dialer';
import { sampleLimits } from './sample-limits';

/** Where the sample-app serves the module's dashboard. */
export const SAMPLE_DASHBOARD_PATH = 'campaign-dashboard';

/** The simulated provider, or a real one with `DIALER=twilio|vapi|retell`. */
const sample = sampleDialer();

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      useFactory: () => sampleDataSourceOptions(),
      // Runs the migrations one replica at a time (PostgreSQL advisory lock).
      dataSourceFactory: campaignDataSourceFactory,
    }),
    CampaignModule.forRoot({
      defaultTimezone: 'UTC',
      // MAX_CONTACTS_PER_CAMPAIGN, MAX_BODY_BYTES (unset: the defaults).
      ...sampleLimits(),
      dialer: sample.dialer,
      // With the simulated provider the business window is open at every
      // hour, so only the built-in calling rules (on, as in any host) hold
      // calls back: at any hour some demo numbers dial and the others wait,
      // saying why. Real calls keep the default business window (09:00-20:00
      // Monday-Saturday, local time) on top of the rules.
      callingWindow:
        sample.name === 'simulated'
          ? { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7] }
          : undefined,
      // Served at GET /metrics (prom-client's default registry).
      metrics: {},
      // The live dashboard at /campaign-dashboard (sign in with the demo token).
      dashboard: { path: SAMPLE_DASHBOARD_PATH },
      // Webhooks to http:// and local receivers only when asked for (a
      // demo receiver on this machine); by default https and public hosts.
      webhooks:
        process.env.WEBHOOKS_ALLOW_LOCAL === 'true'
          ? { allowHttp: true, allowPrivateTargets: true }
          : undefined,
    }),
    TerminusModule,
    CampaignHealthModule,
  ],
  controllers: [HealthController, MetricsController],
  providers: [DemoSeedService, { provide: SAMPLE_DIALER, useValue: sample }],
})
export class AppModule {}

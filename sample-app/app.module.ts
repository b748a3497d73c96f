import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  CampaignModule,
  campaignDataSourceFactory,
  SimulatedDialer,
} from '../lib';
import { sampleDataSourceOptions } from './database-options';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      useFactory: () => sampleDataSourceOptions(),
      // Runs the migrations one replica at a time (PostgreSQL advisory lock).
      dataSourceFactory: campaignDataSourceFactory,
    }),
    CampaignModule.forRoot({
      defaultTimezone: 'UTC',
      // A simulated provider: a few seconds per call, mixed outcomes.
      dialer: new SimulatedDialer({
        latencyMs: [2_000, 4_000],
        outcomes: { answered: 60, no_answer: 25, busy: 15 },
      }),
      // The demo's business window is open at every hour, so only the
      // built-in calling rules (on, as in any host) hold calls back: at any
      // hour some demo numbers dial and the others wait, saying why. A real
      // host keeps a business window (default 09:00-20:00 Monday-Saturday).
      callingWindow: {
        start: '00:00',
        end: '24:00',
        days: [1, 2, 3, 4, 5, 6, 7],
      },
    }),
  ],
  providers: [DemoSeedService],
})
export class AppModule {}

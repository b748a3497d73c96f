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
      // The demo dials nobody real, so it runs at any hour; a real host
      // keeps the default window (09:00-20:00 Monday-Saturday, local time).
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

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignModule } from '../lib';
import { sampleDataSourceOptions } from './database-options';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({ useFactory: () => sampleDataSourceOptions() }),
    CampaignModule.forRoot({ defaultTimezone: 'UTC' }),
  ],
  providers: [DemoSeedService],
})
export class AppModule {}

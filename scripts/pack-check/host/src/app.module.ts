import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignModule, SimulatedDialer } from 'nestjs-call-campaigns';
import { dataSourceOptions } from './database';

@Module({
  imports: [
    TypeOrmModule.forRoot(dataSourceOptions()),
    CampaignModule.forRoot({ dialer: new SimulatedDialer(), dashboard: {} }),
  ],
})
export class AppModule {}

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { sqlDialectOf } from './sql-dialect-of';

/** The database's own checks and guards of the data source, when the module starts. */
@Injectable()
export class DatabaseStartupGuard implements OnModuleInit {
  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    await sqlDialectOf(this.dataSource).onModuleInit(this.dataSource);
  }
}

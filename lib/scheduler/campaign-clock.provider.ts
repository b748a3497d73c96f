import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { sqlDialectOf } from '../database/sql-dialect-of';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { DatabaseClock, type CampaignClock } from './campaign-clock';

/** Injection token of the dialing loop's {@link CampaignClock}. */
export const CAMPAIGN_CLOCK = Symbol('CAMPAIGN_CLOCK');

export const campaignClockProvider: Provider = {
  provide: CAMPAIGN_CLOCK,
  useFactory: (
    options: ResolvedCampaignOptions,
    dataSource: DataSource,
  ): CampaignClock =>
    options.clock ?? new DatabaseClock(dataSource, sqlDialectOf(dataSource)),
  inject: [CAMPAIGN_OPTIONS, CAMPAIGN_DATA_SOURCE],
};

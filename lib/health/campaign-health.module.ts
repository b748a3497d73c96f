import { Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CampaignHealthIndicator } from './campaign.health-indicator';

/**
 * Provides {@link CampaignHealthIndicator}. Import it next to the host's
 * `TerminusModule` (and `CampaignModule`, global or not). It brings its own
 * `HealthIndicatorService` (stateless) rather than a second `TerminusModule`
 * with default options beside the host's.
 */
@Module({
  providers: [HealthIndicatorService, CampaignHealthIndicator],
  exports: [CampaignHealthIndicator],
})
export class CampaignHealthModule {}

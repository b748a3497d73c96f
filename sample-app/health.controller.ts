import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { CampaignHealthIndicator } from '../lib/health';

/** `GET /health`: 200 when the campaigns are healthy, else 503 (terminus). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly campaigns: CampaignHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.campaigns.isHealthy('campaigns')]);
  }
}

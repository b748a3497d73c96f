/** `nestjs-call-campaigns/health`: the health indicator (needs the optional peer `@nestjs/terminus`). */
export { CampaignHealthModule } from './campaign-health.module';
export {
  CampaignHealthIndicator,
  DEFAULT_HEALTH_DATABASE_TIMEOUT_MS,
  DEFAULT_MAX_BACKLOG_LAG_MS,
} from './campaign.health-indicator';
export type * from './campaign-health.interface';

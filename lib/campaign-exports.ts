import { ApiTokenService } from './auth/api-token.service';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { CAMPAIGN_OPTIONS } from './campaign.constants';
import { CampaignCreationService } from './campaigns/campaign-creation.service';
import { CampaignLifecycleService } from './campaigns/campaign-lifecycle.service';
import { CampaignListService } from './campaigns/campaign-list.service';
import { CampaignQueryService } from './campaigns/campaign-query.service';
import { IdempotencyKeyService } from './idempotency/idempotency-key.service';
import { DoNotCallService } from './do-not-call/do-not-call.service';
import { CampaignEventsService } from './events/campaign-events.service';
import { CampaignEventRelayService } from './events/campaign-event-relay.service';
import { PlaybookService } from './playbooks/playbook.service';
import { CampaignRetentionService } from './retention/campaign-retention.service';
import { CallOutcomeService } from './scheduler/call-outcome.service';
import { CAMPAIGN_CLOCK } from './scheduler/campaign-clock.provider';
import { DialingLoopService } from './scheduler/dialing-loop.service';
import { CallingRulesService } from './compliance/calling-rules.service';
import { CampaignMetricsService } from './metrics/campaign-metrics.service';
import { WebhookDeliveryWorker } from './webhooks/webhook-delivery.worker';
import { WebhookEndpointService } from './webhooks/webhook-endpoint.service';

/**
 * The services a host can inject from `CampaignModule`: the one list the
 * module provides and exports, and the README's "Exported services".
 */
export const CAMPAIGN_EXPORTED_SERVICES = [
  ApiTokenService,
  PlaybookService,
  CampaignCreationService,
  CampaignQueryService,
  CampaignListService,
  CampaignLifecycleService,
  CallOutcomeService,
  CampaignEventsService,
  CampaignEventRelayService,
  DoNotCallService,
  IdempotencyKeyService,
  CampaignRetentionService,
  DialingLoopService,
  CallingRulesService,
  CampaignMetricsService,
  WebhookEndpointService,
  WebhookDeliveryWorker,
  BearerAuthGuard,
] as const;

/** Injection tokens a host can inject besides the services. */
export const CAMPAIGN_EXPORTED_TOKENS = [
  CAMPAIGN_OPTIONS,
  CAMPAIGN_CLOCK,
] as const;

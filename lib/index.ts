export { CampaignModule } from './campaign.module';
export {
  CAMPAIGN_EXPORTED_SERVICES,
  CAMPAIGN_EXPORTED_TOKENS,
} from './campaign-exports';
export {
  CAMPAIGN_ASYNC_OPTIONS_TYPE,
  CAMPAIGN_MODULE_OPTIONS,
  CAMPAIGN_OPTIONS_TYPE,
} from './campaign.module-definition';
export { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from './campaign.constants';
export * from './options/campaign-module-options.interface';
export {
  CAMPAIGN_OPTION_DEFAULTS,
  resolveCampaignOptions,
} from './options/resolve-campaign-options';
export { CAMPAIGN_SCHEDULER_REGISTRY } from './scheduler/campaign-scheduler-registry.provider';
export * from './entities';
export * from './migrations';
export * from './migrations/run-campaign-migrations';
export * from './migrations/campaign-data-source-factory';
export {
  ApiTokenService,
  type ApiTokenInfo,
  type IssueApiTokenOptions,
  type IssuedApiToken,
} from './auth/api-token.service';
export { BearerAuthGuard } from './auth/bearer-auth.guard';
export { CurrentAccount } from './auth/current-account.decorator';
export {
  PlaybookService,
  type RegisterPlaybookInput,
} from './playbooks/playbook.service';
export { PlaybookOwnershipGuard } from './playbooks/playbook-ownership.guard';
export {
  CampaignCreationService,
  type CampaignCreationResult,
  type CreateCampaignOptions,
} from './campaigns/campaign-creation.service';
export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_TTL_MS,
} from './idempotency/idempotency-key.constants';
export {
  IdempotencyKeyConflictException,
  InvalidIdempotencyKeyException,
} from './idempotency/idempotency-key.exceptions';
export {
  IdempotencyKeyService,
  type IdempotencyClaim,
} from './idempotency/idempotency-key.service';
export type { CreatedCampaign } from './campaigns/campaign-response.interface';
export {
  CampaignRetentionService,
  type RetentionPurgeOptions,
  type RetentionPurgeResult,
} from './retention/campaign-retention.service';
export type {
  NewCampaign,
  NewContact,
} from './campaigns/new-campaign.interface';
export { CampaignController } from './http/campaign.controller';
export { CreateCampaignDto } from './http/dto/create-campaign.dto';
export { CampaignContactDto } from './http/dto/campaign-contact.dto';
export {
  campaignBodyParser,
  type CampaignBodyParserOptions,
} from './http/campaign-body-parser';
export type { CampaignRequest } from './http/campaign-request.interface';
export {
  CampaignQueryService,
  type CampaignDetails,
} from './campaigns/campaign-query.service';
export { CampaignListService } from './campaigns/campaign-list.service';
export type * from './campaigns/campaign-list.types';
export { LIST_PAGE_LIMIT } from './validation/list-query.parser';
export type {
  ContactFieldValues,
  ContactTextField,
} from './contacts/contact-fields';
export * from './dialer/campaign-dialer.interface';
export * from './dialer/http.dialer';
export * from './dialer/simulated.dialer';
export * from './scheduler/calling-window.interface';
export { nextCallingTime, resolveZone } from './scheduler/calling-window';
export * from './scheduler/recall-policy';
export type { CampaignClock } from './scheduler/campaign-clock';
export { CAMPAIGN_CLOCK } from './scheduler/campaign-clock.provider';
export {
  CallOutcomeService,
  type OutcomeReportDetails,
} from './scheduler/call-outcome.service';
export * from './scheduler/invalid-outcome-report.error';
export { DialingLoopService } from './scheduler/dialing-loop.service';
export { CampaignMetricsService } from './metrics/campaign-metrics.service';
export type { TickReport } from './scheduler/dispatch.interfaces';
export * from './events/campaign-event.interface';
export { CampaignEventsService } from './events/campaign-events.service';
export {
  CampaignEventRelayService,
  type OutboxBacklog,
} from './events/campaign-event-relay.service';
export {
  CAMPAIGN_EVENT_FANOUT,
  type CampaignEventFanout,
} from './events/campaign-event-fanout.interface';
export {
  CampaignLifecycleService,
  type CampaignAction,
} from './campaigns/campaign-lifecycle.service';
export {
  DoNotCallService,
  type DoNotCallEntry,
  type DoNotCallPage,
} from './do-not-call/do-not-call.service';
export * from './compliance/calling-rule.interface';
export * from './compliance/before-dial.interface';
export { BUILT_IN_CALLING_RULES } from './compliance/built-in-calling-rules';
export {
  CallingRulesService,
  type CallingCheck,
  type CallingCheckSubject,
} from './compliance/calling-rules.service';
export type {
  DialVerdict,
  WaitExplanation,
  WaitReason,
} from './compliance/claim-plan';
export * from './providers/provider.interface';
export { CallerNumberPool } from './providers/caller-number-pool';
export {
  InvalidPlaybookProviderError,
  validatePlaybookProvider,
  VOICE_PROVIDERS,
} from './providers/playbook-provider.validator';
export { WebhookEndpointService } from './webhooks/webhook-endpoint.service';
export { WebhookDeliveryWorker } from './webhooks/webhook-delivery.worker';
export * from './webhooks/webhook-endpoint.interface';
export {
  WEBHOOK_OPTION_DEFAULTS,
  WEBHOOK_MIN_RETRY_FOR_MS,
} from './webhooks/webhook-options';
export {
  WebhookUrlPolicy,
  WebhookUrlRefusedError,
  isNonPublicAddress,
  WEBHOOK_URL_MAX_LENGTH,
} from './webhooks/webhook-url.policy';
export {
  generateWebhookSecret,
  signWebhook,
  type WebhookSignatureHeaders,
} from './webhooks/webhook-signer';
export {
  backoffCeiling,
  nextRetry,
  retryDelay,
  type RetryDecision,
  type RetrySchedule,
} from './webhooks/webhook-retry-schedule';
export { webhookBody } from './webhooks/webhook-payload';
export { WebhookFanout } from './webhooks/webhook-fanout';

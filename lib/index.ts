export { CampaignModule } from './campaign.module';
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
export * from './entities';
export * from './migrations';
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
export { CampaignCreationService } from './campaigns/campaign-creation.service';
export type { CreatedCampaign } from './campaigns/campaign-response.interface';
export type {
  NewCampaign,
  NewContact,
} from './campaigns/new-campaign.interface';
export { CampaignController } from './http/campaign.controller';
export { CreateCampaignDto } from './http/dto/create-campaign.dto';
export { CampaignContactDto } from './http/dto/campaign-contact.dto';
export {
  campaignJsonBodyParser,
  DEFAULT_CAMPAIGN_BODY_LIMIT,
} from './http/campaign-body-parser';
export {
  CampaignQueryService,
  type CampaignDetails,
} from './campaigns/campaign-query.service';
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
export { DialingLoopService } from './scheduler/dialing-loop.service';
export type { TickReport } from './scheduler/dispatch.interfaces';
export * from './events/campaign-event.interface';
export { CampaignEventsService } from './events/campaign-events.service';

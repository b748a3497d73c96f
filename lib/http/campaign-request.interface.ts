import type { Request } from 'express';
import type {
  CampaignAccount,
  CampaignPlaybookRef,
} from '../options/campaign-module-options.interface';

/** A request as the module's guards leave it. */
export interface CampaignRequest extends Request {
  campaignAccount?: CampaignAccount;
  campaignPlaybook?: CampaignPlaybookRef;
}

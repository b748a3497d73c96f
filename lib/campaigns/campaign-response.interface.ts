import type { CampaignStatus } from '../entities/campaign-status';

/** Body of the 202 answer to `POST /campaign`. */
export interface CreatedCampaign {
  campaign_id: string;
  status: Extract<CampaignStatus, 'running' | 'scheduled'>;
  /** ISO instant in UTC, or null for an immediate campaign. */
  launch_at: string | null;
  /** Distinct contacts (by E.164 phone). */
  contacts: number;
  calls: number;
  /** Items of the request that repeated an earlier phone. */
  duplicates: number;
  recall: number[];
}

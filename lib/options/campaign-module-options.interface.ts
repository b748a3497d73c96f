import type { CountryCode } from 'libphonenumber-js';

/** The caller of the API, as the host knows it. `id` is an opaque account id. */
export interface CampaignAccount {
  id: string;
}

export interface CampaignPlaybookRef {
  id: string;
  name?: string;
}

/** Resolves a Bearer token to an account, or `null` when it is unknown or revoked. */
export type AuthenticateFn = (
  token: string,
) => Promise<CampaignAccount | null> | CampaignAccount | null;

/** Returns the playbook when it exists and belongs to the account, else `null`. */
export type FindPlaybookFn = (
  account: CampaignAccount,
  playbookId: string,
) => Promise<CampaignPlaybookRef | null> | CampaignPlaybookRef | null;

export interface RecallLimits {
  /** Most retries in one policy. Default 10. */
  maxEntries?: number;
  /** Largest delay in minutes. Default 43 200 (30 days). */
  maxMinutes?: number;
}

export interface CampaignModuleOptions {
  /** Host authentication. Default: the built-in API token store (`ApiTokenService`). */
  authenticate?: AuthenticateFn;
  /** Host playbook lookup. Default: the built-in playbook store (`PlaybookService`). */
  findPlaybook?: FindPlaybookFn;
  /** ISO 3166 alpha-2 country used for phone numbers without `+` and without a contact `country`. */
  defaultCountry?: CountryCode;
  /** IANA zone used to read a `launch_at` without offset. Default `UTC`. */
  defaultTimezone?: string;
  /** Most contacts in one request. Default 10 000. */
  maxContactsPerCampaign?: number;
  recall?: RecallLimits;
  /** Rows per multi-row INSERT statement. Default 1 000. */
  insertChunkSize?: number;
}

/** Options fixed when the module is imported (they shape routes and providers). */
export interface CampaignModuleExtras {
  /** Name of the host's TypeORM data source. Default: the default data source. */
  dataSource?: string;
  /** Route prefix of the controller. Default `campaign`. */
  routePrefix?: string;
}

export interface ResolvedCampaignOptions {
  authenticate?: AuthenticateFn;
  findPlaybook?: FindPlaybookFn;
  defaultCountry?: CountryCode;
  defaultTimezone: string;
  maxContactsPerCampaign: number;
  recall: Required<RecallLimits>;
  insertChunkSize: number;
}

import { IANAZone } from 'luxon';
import { isSupportedCountry } from 'libphonenumber-js';
import type {
  CampaignModuleOptions,
  ResolvedCampaignOptions,
} from './campaign-module-options.interface';

export const CAMPAIGN_OPTION_DEFAULTS = {
  defaultTimezone: 'UTC',
  maxContactsPerCampaign: 10_000,
  recall: { maxEntries: 10, maxMinutes: 43_200 },
  insertChunkSize: 1_000,
} as const;

/** The one place where defaults are merged and options are checked. */
export function resolveCampaignOptions(
  options: CampaignModuleOptions = {},
): ResolvedCampaignOptions {
  const resolved: ResolvedCampaignOptions = {
    authenticate: options.authenticate,
    findPlaybook: options.findPlaybook,
    defaultCountry: options.defaultCountry,
    defaultTimezone:
      options.defaultTimezone ?? CAMPAIGN_OPTION_DEFAULTS.defaultTimezone,
    maxContactsPerCampaign:
      options.maxContactsPerCampaign ??
      CAMPAIGN_OPTION_DEFAULTS.maxContactsPerCampaign,
    recall: { ...CAMPAIGN_OPTION_DEFAULTS.recall, ...options.recall },
    insertChunkSize:
      options.insertChunkSize ?? CAMPAIGN_OPTION_DEFAULTS.insertChunkSize,
  };
  assertValidOptions(resolved);
  return resolved;
}

function assertValidOptions(o: ResolvedCampaignOptions): void {
  const problems: string[] = [];
  if (!IANAZone.isValidZone(o.defaultTimezone)) {
    problems.push(`defaultTimezone "${o.defaultTimezone}" is not an IANA zone`);
  }
  if (o.defaultCountry && !isSupportedCountry(o.defaultCountry)) {
    problems.push(`defaultCountry "${o.defaultCountry}" is not supported`);
  }
  for (const [name, value] of [
    ['maxContactsPerCampaign', o.maxContactsPerCampaign],
    ['recall.maxEntries', o.recall.maxEntries],
    ['recall.maxMinutes', o.recall.maxMinutes],
    ['insertChunkSize', o.insertChunkSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      problems.push(`${name} must be a positive integer`);
    }
  }
  if (problems.length) {
    throw new Error(`Invalid CampaignModule options: ${problems.join('; ')}`);
  }
}

import { IANAZone } from 'luxon';
import { isSupportedCountry } from 'libphonenumber-js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DEFAULT_CALLING_WINDOW } from '../scheduler/calling-window.interface';
import { assertValidCallingWindow } from '../scheduler/calling-window';
import type {
  CampaignModuleOptions,
  ResolvedCampaignOptions,
} from './campaign-module-options.interface';

export const CAMPAIGN_OPTION_DEFAULTS = {
  defaultTimezone: 'UTC',
  maxContactsPerCampaign: 10_000,
  recall: { maxEntries: 10, maxMinutes: 43_200 },
  insertChunkSize: 1_000,
  scheduler: {
    enabled: true,
    tickIntervalMs: 1_000,
    batchSize: 200,
    leaseMs: 60_000,
    outcomeTimeoutMs: 30 * 60_000,
    maxInFlight: 50,
    maxInFlightPerAccount: 20,
    callsPerSecond: 20,
    shutdownTimeoutMs: 10_000,
  },
} as const;

const MAX_BATCH_SIZE = 5_000;

const defaultReplicaId = (): string =>
  `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;

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
    dialer: options.dialer,
    callingWindow: { ...DEFAULT_CALLING_WINDOW, ...options.callingWindow },
    retryVoicemail: options.retryVoicemail ?? false,
    clock: options.clock,
    eventEmitter: options.eventEmitter,
    scheduler: {
      ...CAMPAIGN_OPTION_DEFAULTS.scheduler,
      replicaId: defaultReplicaId(),
      ...options.scheduler,
    },
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
    ['scheduler.tickIntervalMs', o.scheduler.tickIntervalMs],
    ['scheduler.batchSize', o.scheduler.batchSize],
    ['scheduler.leaseMs', o.scheduler.leaseMs],
    ['scheduler.outcomeTimeoutMs', o.scheduler.outcomeTimeoutMs],
    ['scheduler.maxInFlight', o.scheduler.maxInFlight],
    ['scheduler.maxInFlightPerAccount', o.scheduler.maxInFlightPerAccount],
    ['scheduler.callsPerSecond', o.scheduler.callsPerSecond],
    ['scheduler.shutdownTimeoutMs', o.scheduler.shutdownTimeoutMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      problems.push(`${name} must be a positive integer`);
    }
  }
  if (o.scheduler.batchSize > MAX_BATCH_SIZE) {
    problems.push(
      `scheduler.batchSize must be at most ${MAX_BATCH_SIZE} (SQLite's bind-parameter limit)`,
    );
  }
  if (o.scheduler.replicaId.length > 64) {
    problems.push('scheduler.replicaId must be at most 64 characters');
  }
  try {
    assertValidCallingWindow(o.callingWindow);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length) {
    throw new Error(`Invalid CampaignModule options: ${problems.join('; ')}`);
  }
}

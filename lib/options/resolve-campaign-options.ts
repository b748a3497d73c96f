import { IANAZone } from 'luxon';
import { isSupportedCountry } from 'libphonenumber-js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DEFAULT_CALLING_WINDOW } from '../scheduler/calling-window.interface';
import { assertValidCallingWindow } from '../scheduler/calling-window';
import type {
  CampaignModuleExtras,
  CampaignModuleOptions,
  ResolvedCampaignOptions,
} from './campaign-module-options.interface';
import { definedOnly, unknownOptionProblems } from './option-keys';
import {
  RETENTION_DEFAULT_BATCH_SIZE,
  RETENTION_DEFAULT_EVERY_MS,
  RETENTION_MAX_EVERY_MS,
  retentionProblems,
} from '../retention/retention-limits';
import {
  resolveWebhookOptions,
  webhookOptionProblems,
} from '../webhooks/webhook-options';

export const CAMPAIGN_OPTION_DEFAULTS = {
  defaultTimezone: 'UTC',
  maxContactsPerCampaign: 10_000,
  maxBodyBytes: 16 * 1024 * 1024,
  recall: { maxEntries: 10, maxMinutes: 43_200 },
  insertChunkSize: 1_000,
  retryVoicemail: false,
  routePrefix: 'campaign',
  metricsPrefix: 'campaign_',
  beforeDialTimeoutMs: 2_000,
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
  events: {
    relay: true,
    pollIntervalMs: 1_000,
    batchSize: 200,
    leaseMs: 30_000,
    subscriberTimeoutMs: 10_000,
  },
  retention: {
    everyMs: RETENTION_DEFAULT_EVERY_MS,
    batchSize: RETENTION_DEFAULT_BATCH_SIZE,
  },
} as const;

const MAX_BATCH_SIZE = 5_000;

const defaultReplicaId = (): string =>
  `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;

/** `a/b/` → `a/b`: the prefix as the routes and `Location` use it. */
export const normalizeRoutePrefix = (prefix: string): string =>
  prefix.replace(/^\/+|\/+$/g, '');

/**
 * The one place where defaults are merged and options are checked. An
 * `undefined` value anywhere means "the default" (hosts pass `process.env.X`
 * straight in); an unknown key anywhere fails.
 */
export function resolveCampaignOptions(
  options: CampaignModuleOptions = {},
  extras: Pick<CampaignModuleExtras, 'routePrefix'> = {},
): ResolvedCampaignOptions {
  const unknown = unknownOptionProblems(options);
  if (unknown.length) throw new Error(unknown.join('; '));
  const given = definedOnly(options);
  const resolved: ResolvedCampaignOptions = {
    authenticate: given.authenticate,
    findPlaybook: given.findPlaybook,
    defaultCountry: given.defaultCountry,
    defaultTimezone:
      given.defaultTimezone ?? CAMPAIGN_OPTION_DEFAULTS.defaultTimezone,
    maxContactsPerCampaign:
      given.maxContactsPerCampaign ??
      CAMPAIGN_OPTION_DEFAULTS.maxContactsPerCampaign,
    maxBodyBytes: given.maxBodyBytes ?? CAMPAIGN_OPTION_DEFAULTS.maxBodyBytes,
    recall: {
      ...CAMPAIGN_OPTION_DEFAULTS.recall,
      ...definedOnly(given.recall),
    },
    insertChunkSize:
      given.insertChunkSize ?? CAMPAIGN_OPTION_DEFAULTS.insertChunkSize,
    dialer: given.dialer,
    callingWindow: {
      ...DEFAULT_CALLING_WINDOW,
      ...definedOnly(given.callingWindow),
    },
    callingRules: {
      builtIn: true,
      rules: [],
      ...definedOnly(given.callingRules),
    },
    maxAttemptsPerContact: given.maxAttemptsPerContact
      ? { calls: 0, hours: 24, ...definedOnly(given.maxAttemptsPerContact) }
      : null,
    beforeDial: given.beforeDial,
    beforeDialTimeoutMs:
      given.beforeDialTimeoutMs ?? CAMPAIGN_OPTION_DEFAULTS.beforeDialTimeoutMs,
    retryVoicemail:
      given.retryVoicemail ?? CAMPAIGN_OPTION_DEFAULTS.retryVoicemail,
    clock: given.clock,
    eventEmitter: given.eventEmitter,
    events: {
      ...CAMPAIGN_OPTION_DEFAULTS.events,
      ...definedOnly(given.events),
    },
    metrics: given.metrics
      ? {
          registry: null,
          prefix: CAMPAIGN_OPTION_DEFAULTS.metricsPrefix,
          ...definedOnly(given.metrics),
        }
      : null,
    scheduler: {
      ...CAMPAIGN_OPTION_DEFAULTS.scheduler,
      replicaId: defaultReplicaId(),
      ...definedOnly(given.scheduler),
    },
    retention: given.retention
      ? {
          ...CAMPAIGN_OPTION_DEFAULTS.retention,
          ...definedOnly(given.retention),
          olderThanDays: given.retention.olderThanDays,
        }
      : null,
    webhooks: resolveWebhookOptions(definedOnly(given.webhooks)),
    routePrefix: normalizeRoutePrefix(
      extras.routePrefix ?? CAMPAIGN_OPTION_DEFAULTS.routePrefix,
    ),
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
    problems.push(
      `defaultCountry "${String(o.defaultCountry)}" is not supported`,
    );
  }
  for (const [name, value] of [
    ['maxContactsPerCampaign', o.maxContactsPerCampaign],
    ['maxBodyBytes', o.maxBodyBytes],
    ['recall.maxEntries', o.recall.maxEntries],
    ['recall.maxMinutes', o.recall.maxMinutes],
    ['insertChunkSize', o.insertChunkSize],
    ['beforeDialTimeoutMs', o.beforeDialTimeoutMs],
    ...(o.maxAttemptsPerContact
      ? ([
          ['maxAttemptsPerContact.calls', o.maxAttemptsPerContact.calls],
          ['maxAttemptsPerContact.hours', o.maxAttemptsPerContact.hours],
        ] as const)
      : []),
    ['scheduler.tickIntervalMs', o.scheduler.tickIntervalMs],
    ['scheduler.batchSize', o.scheduler.batchSize],
    ['scheduler.leaseMs', o.scheduler.leaseMs],
    ['scheduler.outcomeTimeoutMs', o.scheduler.outcomeTimeoutMs],
    ['scheduler.maxInFlight', o.scheduler.maxInFlight],
    ['scheduler.maxInFlightPerAccount', o.scheduler.maxInFlightPerAccount],
    ['scheduler.callsPerSecond', o.scheduler.callsPerSecond],
    ['scheduler.shutdownTimeoutMs', o.scheduler.shutdownTimeoutMs],
    ['events.pollIntervalMs', o.events.pollIntervalMs],
    ['events.batchSize', o.events.batchSize],
    ['events.leaseMs', o.events.leaseMs],
    ['events.subscriberTimeoutMs', o.events.subscriberTimeoutMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      problems.push(`${name} must be a positive integer`);
    }
  }
  if (o.retention) {
    problems.push(...retentionProblems(o.retention, 'retention.'));
    const every = o.retention.everyMs;
    if (
      !Number.isInteger(every) ||
      every < 1 ||
      every > RETENTION_MAX_EVERY_MS
    ) {
      problems.push(
        `retention.everyMs must be a positive integer of at most ${RETENTION_MAX_EVERY_MS}`,
      );
    }
  }
  if (typeof o.events.relay !== 'boolean') {
    problems.push('events.relay must be true or false');
  }
  if (o.events.subscriberTimeoutMs * 2 > o.events.leaseMs) {
    problems.push(
      'events.leaseMs must be at least twice events.subscriberTimeoutMs (a batch is handed over within its lease)',
    );
  }
  if (o.events.batchSize > MAX_BATCH_SIZE) {
    problems.push(`events.batchSize must be at most ${MAX_BATCH_SIZE}`);
  }
  if (o.scheduler.batchSize > MAX_BATCH_SIZE) {
    problems.push(
      `scheduler.batchSize must be at most ${MAX_BATCH_SIZE} (SQLite's bind-parameter limit)`,
    );
  }
  if (
    typeof o.scheduler.replicaId !== 'string' ||
    !o.scheduler.replicaId.length ||
    o.scheduler.replicaId.length > 64
  ) {
    problems.push('scheduler.replicaId must be a string of 1 to 64 characters');
  }
  if (typeof o.scheduler.enabled !== 'boolean') {
    problems.push('scheduler.enabled must be true or false');
  }
  if (typeof o.retryVoicemail !== 'boolean') {
    problems.push('retryVoicemail must be true or false');
  }
  if (
    o.metrics &&
    (typeof o.metrics.prefix !== 'string' ||
      !/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(o.metrics.prefix))
  ) {
    problems.push(
      'metrics.prefix must be a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)',
    );
  }
  problems.push(...webhookOptionProblems(o.webhooks));
  if (!o.routePrefix || /[?#\s]/.test(o.routePrefix)) {
    problems.push('routePrefix must be a non-empty path');
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

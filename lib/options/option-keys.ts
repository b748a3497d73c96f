import type { CallingWindow } from '../scheduler/calling-window.interface';
import type { CallCap } from '../compliance/calling-rule.interface';
import type {
  CallingRulesOptions,
  CampaignModuleOptions,
  EventRelayOptions,
  MetricsOptions,
  RecallLimits,
  RetentionOptions,
  SchedulerOptions,
  WebhookOptions,
} from './campaign-module-options.interface';

type KeysOf<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Every option the module knows, by nesting level: a key that is not here
 * fails the boot (a typo such as `schedular` must not be ignored). The
 * mapped types make the compiler list a new option here.
 */
const TOP_LEVEL: KeysOf<CampaignModuleOptions> = {
  authenticate: true,
  findPlaybook: true,
  defaultCountry: true,
  defaultTimezone: true,
  maxContactsPerCampaign: true,
  maxBodyBytes: true,
  recall: true,
  insertChunkSize: true,
  dialer: true,
  callingWindow: true,
  callingRules: true,
  maxAttemptsPerContact: true,
  beforeDial: true,
  beforeDialTimeoutMs: true,
  retryVoicemail: true,
  scheduler: true,
  retention: true,
  clock: true,
  eventEmitter: true,
  metrics: true,
  events: true,
  webhooks: true,
};
const SCHEDULER: KeysOf<SchedulerOptions> = {
  enabled: true,
  tickIntervalMs: true,
  batchSize: true,
  leaseMs: true,
  outcomeTimeoutMs: true,
  maxInFlight: true,
  maxInFlightPerAccount: true,
  callsPerSecond: true,
  shutdownTimeoutMs: true,
  replicaId: true,
};
const RETENTION: KeysOf<RetentionOptions> = {
  olderThanDays: true,
  everyMs: true,
  batchSize: true,
};
const RECALL: KeysOf<RecallLimits> = { maxEntries: true, maxMinutes: true };
const CALLING_RULES: KeysOf<CallingRulesOptions> = {
  builtIn: true,
  rules: true,
};
const METRICS: KeysOf<MetricsOptions> = { registry: true, prefix: true };
const EVENTS: KeysOf<EventRelayOptions> = {
  relay: true,
  pollIntervalMs: true,
  batchSize: true,
  leaseMs: true,
  subscriberTimeoutMs: true,
};
const WEBHOOKS: KeysOf<WebhookOptions> = {
  deliver: true,
  allowPrivateTargets: true,
  allowHttp: true,
  lookup: true,
  pollIntervalMs: true,
  maxConcurrency: true,
  maxPerEndpoint: true,
  requestTimeoutMs: true,
  maxResponseBytes: true,
  retryBaseDelayMs: true,
  retryMaxDelayMs: true,
  retryForMs: true,
  disableAfterMs: true,
  maxEndpointsPerAccount: true,
};
const CAP: KeysOf<CallCap> = { calls: true, hours: true };
const CALLING_WINDOW: KeysOf<CallingWindow> = {
  start: true,
  end: true,
  days: true,
};

/** Options whose value is itself a group of options. */
const GROUPS: Readonly<Record<string, object>> = {
  scheduler: SCHEDULER,
  retention: RETENTION,
  recall: RECALL,
  callingWindow: CALLING_WINDOW,
  callingRules: CALLING_RULES,
  maxAttemptsPerContact: CAP,
  metrics: METRICS,
  events: EVENTS,
  webhooks: WEBHOOKS,
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  Object.getPrototypeOf(value) === Object.prototype;

/** `Unknown CampaignModule option "…"` for each key the module does not know. */
export function unknownOptionProblems(options: object): string[] {
  const problems: string[] = [];
  const check = (given: object, known: object, prefix: string): void => {
    for (const key of Object.keys(given)) {
      if (!Object.hasOwn(known, key)) {
        problems.push(`Unknown CampaignModule option "${prefix}${key}"`);
        continue;
      }
      const group = prefix ? undefined : GROUPS[key];
      const value = (given as Record<string, unknown>)[key];
      if (group && value !== undefined) {
        if (isPlainObject(value)) check(value, group, `${key}.`);
        else problems.push(`CampaignModule option "${key}" must be an object`);
      }
    }
  };
  check(options, TOP_LEVEL, '');
  return problems;
}

/** The object without its `undefined` values: `undefined` means "the default". */
export function definedOnly<T extends object>(
  value: T | undefined,
): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

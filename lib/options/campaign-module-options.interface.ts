import type { CountryCode } from 'libphonenumber-js';
import type { CampaignDialer } from '../dialer/campaign-dialer.interface';
import type { CampaignEventSink } from '../events/campaign-event.interface';
import type { CampaignClock } from '../scheduler/campaign-clock';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import type { BeforeDialHook } from '../compliance/before-dial.interface';
import type { PlaybookProviderConfig } from '../providers/provider.interface';
import type {
  CallCap,
  CallingRule,
} from '../compliance/calling-rule.interface';

/** The caller of the API, as the host knows it. `id` is an opaque account id. */
export interface CampaignAccount {
  id: string;
}

export interface CampaignPlaybookRef {
  id: string;
  name?: string;
  /** Which provider runs it (assistant, caller numbers); copied onto each campaign created with it. */
  provider?: PlaybookProviderConfig | null;
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

/** The dialing loop. Limits are per replica unless said otherwise. */
export interface SchedulerOptions {
  /** Run the loop in this replica. Default true (false: this replica only serves the API). */
  enabled?: boolean;
  /** Milliseconds between ticks. Default 1 000. */
  tickIntervalMs?: number;
  /** Most calls claimed by one claim statement. Default 200. */
  batchSize?: number;
  /** How long an attempt may stay unreported before it ends as `interrupted`. Default 60 000 ms. */
  leaseMs?: number;
  /** How long an attempt whose dialer returned no outcome waits for `CallOutcomeService.report`. Default 30 min. */
  outcomeTimeoutMs?: number;
  /** Most dials in flight in this replica. Default 50. */
  maxInFlight?: number;
  /** Most dials in flight for one account, across all replicas (counted in the database). Default 20. */
  maxInFlightPerAccount?: number;
  /** Most new dials per second in this replica. Default 20. */
  callsPerSecond?: number;
  /** Bound on waiting for in-flight dials at shutdown. Default 10 000 ms. */
  shutdownTimeoutMs?: number;
  /** Name of this replica in lease columns. Default host-pid-random. */
  replicaId?: string;
}

/** The retention job: deletes finished campaigns on a schedule (see README, "Retention"). */
export interface RetentionOptions {
  /** Completed or cancelled campaigns that finished more than this many days ago are deleted, with their calls and attempts. */
  olderThanDays: number;
  /** Milliseconds between runs. Default 3 600 000 (1 h). */
  everyMs?: number;
  /** Most campaigns, and most calls, deleted by one transaction. Default 500. */
  batchSize?: number;
}

/** The outbox relay: delivers durable events after their commit (see README, "Events"). */
export interface EventRelayOptions {
  /** Deliver events from this replica. Default true (with false, other replicas must deliver them). */
  relay?: boolean;
  /** Milliseconds between two looks at the outbox (writes in this process also wake it at once). Default 1 000. */
  pollIntervalMs?: number;
  /** Most events one relay transaction takes. Default 200. */
  batchSize?: number;
  /** How long a replica holds events it is delivering before another may take them. Default 30 000 ms. */
  leaseMs?: number;
  /** How long the relay waits for one subscriber's promise. Default 10 000 ms. */
  subscriberTimeoutMs?: number;
}

/** The calling rules applied at dial time (see README, "Calling rules"). */
export interface CallingRulesOptions {
  /** Apply the built-in rules (US federal and states, Spain). Default true; false logs a warning at boot. */
  builtIn?: boolean;
  /** The host's own rules, applied with (or, with `builtIn: false`, instead of) the built-in ones. */
  rules?: CallingRule[];
}

/**
 * The members of a prom-client `Registry` the module uses: a structural type,
 * so that the module's typings need no prom-client (an optional peer).
 */
export interface CampaignMetricsRegistry {
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/** Prometheus metrics through prom-client (an optional peer: install it to use them). */
export interface MetricsOptions {
  /** A prom-client `Registry` to register on. Default prom-client's default `register`. */
  registry?: CampaignMetricsRegistry;
  /** Prefix of every metric name. Default `campaign_`. */
  prefix?: string;
}

/**
 * Webhooks out (see README, "Webhooks"): endpoints per account, signed as
 * Standard Webhooks, delivered by a worker on its own timer.
 */
export interface WebhookOptions {
  /** Run the delivery worker in this replica (with `scheduler.enabled`). Default true. */
  deliver?: boolean;
  /**
   * Allow targets on loopback, private, link-local and other non-public
   * addresses: `true` for any, or a list of host names, IPs and CIDRs
   * (`'hooks.intranet'`, `'10.1.0.0/16'`). Default false.
   */
  allowPrivateTargets?: boolean | string[];
  /** Allow `http:` URLs. Default false (https only). */
  allowHttp?: boolean;
  /** DNS lookup of endpoint hosts (same signature as `dns.lookup`). Default `dns.lookup`. */
  lookup?: WebhookLookupFunction;
  /** Milliseconds between two polls for due deliveries. Default 1 000. */
  pollIntervalMs?: number;
  /** Most requests in flight in this replica. Default 8. */
  maxConcurrency?: number;
  /** Most requests in flight to one endpoint, across replicas. Default 2. */
  maxPerEndpoint?: number;
  /** Bound on one request, connect to last byte. Default 15 000 ms. */
  requestTimeoutMs?: number;
  /** Most response bytes read; the connection is closed after them. Default 65 536. */
  maxResponseBytes?: number;
  /** First retry delay (before jitter). Default 5 000 ms. */
  retryBaseDelayMs?: number;
  /** Largest retry delay (before jitter). Default 6 h. */
  retryMaxDelayMs?: number;
  /** A delivery is retried until at least this long after its first try. Default 3 days (at least 24 h). */
  retryForMs?: number;
  /** An endpoint whose every try failed for this long is disabled. Default 5 days. */
  disableAfterMs?: number;
  /** Most endpoints per account. Default 20. */
  maxEndpointsPerAccount?: number;
}

/** `dns.lookup` with `{ all: true }`, the form the webhook client calls. */
export type WebhookLookupFunction = (
  hostname: string,
  options: { all: true; family?: number },
  callback: (
    error: NodeJS.ErrnoException | null,
    addresses: { address: string; family: number }[],
  ) => void,
) => void;

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
  /** Largest `POST /campaign` body the module reads, in bytes. Default 16 MiB. */
  maxBodyBytes?: number;
  recall?: RecallLimits;
  /** Rows per multi-row INSERT statement. Default 1 000. */
  insertChunkSize?: number;
  /** Places the calls. Without one the dialing loop does not run. */
  dialer?: CampaignDialer;
  /** Local hours when calls may be placed (the business window, intersected with the calling rules). Default 09:00–20:00 Monday–Saturday. */
  callingWindow?: Partial<CallingWindow>;
  callingRules?: CallingRulesOptions;
  /** At most this many attempts to one number within a rolling window, across all campaigns of an account. Default none (the rules' caps still apply). */
  maxAttemptsPerContact?: CallCap;
  /** Host check before each dial: allow, deny or defer. */
  beforeDial?: BeforeDialHook;
  /** How long `beforeDial` may take before the call is deferred. Default 2 000 ms. */
  beforeDialTimeoutMs?: number;
  /** Retry a `voicemail` outcome like `no_answer`. Default false (final). */
  retryVoicemail?: boolean;
  scheduler?: SchedulerOptions;
  /** Delete finished campaigns on a schedule, in replicas with `scheduler.enabled`. Default off. */
  retention?: RetentionOptions;
  /** Time source of the dialing loop. Default: the database clock (PostgreSQL) or the process clock (SQLite). */
  clock?: CampaignClock;
  /** Also send lifecycle events here, e.g. `@nestjs/event-emitter`'s EventEmitter2. */
  eventEmitter?: CampaignEventSink;
  /** Prometheus metrics (see README, "Metrics"); off when not given. */
  metrics?: MetricsOptions;
  /** The outbox relay that delivers durable events. */
  events?: EventRelayOptions;
  webhooks?: WebhookOptions;
}

export interface ResolvedWebhookOptions extends Required<
  Omit<WebhookOptions, 'lookup'>
> {
  lookup?: WebhookLookupFunction;
}

/** The live dashboard (see README, "Dashboard"); served only when given. */
export interface DashboardOptions {
  /** Path of the page, beside `routePrefix` (under the host's global prefix, if any). Default `campaign-dashboard`. */
  path?: string;
  /** How often the open page refreshes, in milliseconds. Default 2 000, at least 250. */
  refreshIntervalMs?: number;
}

/** Options fixed when the module is imported (they shape routes and providers). */
export interface CampaignModuleExtras {
  /** Name of the host's TypeORM data source. Default: the default data source. */
  dataSource?: string;
  /** Route prefix of the controller. Default `campaign`. */
  routePrefix?: string;
  /** Register the module globally, as the official modules' `isGlobal`. Default false. */
  isGlobal?: boolean;
  /** Serve the live dashboard (`{}` for the defaults). Default: no dashboard routes. */
  dashboard?: DashboardOptions;
}

export interface ResolvedCampaignOptions {
  authenticate?: AuthenticateFn;
  findPlaybook?: FindPlaybookFn;
  defaultCountry?: CountryCode;
  defaultTimezone: string;
  maxContactsPerCampaign: number;
  maxBodyBytes: number;
  recall: Required<RecallLimits>;
  insertChunkSize: number;
  dialer?: CampaignDialer;
  callingWindow: CallingWindow;
  callingRules: Required<CallingRulesOptions>;
  maxAttemptsPerContact: CallCap | null;
  beforeDial?: BeforeDialHook;
  beforeDialTimeoutMs: number;
  retryVoicemail: boolean;
  scheduler: Required<SchedulerOptions>;
  /** Null: no retention job. */
  retention: Required<RetentionOptions> | null;
  clock?: CampaignClock;
  eventEmitter?: CampaignEventSink;
  events: Required<EventRelayOptions>;
  /** `null`: metrics off; a `null` registry is prom-client's default one. */
  metrics: {
    registry: CampaignMetricsRegistry | null;
    prefix: string;
  } | null;
  webhooks: ResolvedWebhookOptions;
  /** Route prefix the controllers are mounted at, without slashes (from forRoot's `routePrefix`). */
  routePrefix: string;
}

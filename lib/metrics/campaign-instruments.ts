import type * as PromClient from 'prom-client';
import type { CampaignMetricsRegistry } from '../options/campaign-module-options.interface';

export type PromClientModule = typeof PromClient;

/** Where the gauges read their value at scrape time. */
export interface GaugeSources {
  dialsInFlight(): number;
  callsDue(): Promise<number>;
}

const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
const LAG_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 1800, 3600];

/** Names without the prefix; the metric names are `<prefix><name>`. */
export const CAMPAIGN_METRIC_NAMES = [
  'dials_total',
  'attempt_outcomes_total',
  'attempts_deferred_total',
  'calls_skipped_total',
  'lifecycle_events_total',
  'campaigns_created_total',
  'contacts_received_total',
  'dial_lag_seconds',
  'claim_duration_seconds',
  'record_duration_seconds',
  'create_campaign_duration_seconds',
  'dials_in_flight',
  'calls_due',
  'webhook_attempts_total',
  'webhook_deliveries_total',
  'webhook_endpoints_disabled_total',
] as const;

/** The module's prom-client metrics, registered on one registry. */
export function createCampaignInstruments(
  client: PromClientModule,
  registry: CampaignMetricsRegistry | null,
  prefix: string,
  sources: GaugeSources,
) {
  // Any prom-client Registry has these members: the structural option type
  // only keeps prom-client out of the module's public typings.
  const target = (registry ?? client.register) as PromClient.Registry;
  const taken = CAMPAIGN_METRIC_NAMES.map((n) => prefix + n).filter((name) =>
    target.getSingleMetric(name),
  );
  if (taken.length) {
    throw new Error(
      `CampaignModule metrics: ${taken.join(', ')} already registered (another CampaignModule app on the same registry?). Pass metrics.registry or metrics.prefix.`,
    );
  }
  const registers = [target];
  const name = (n: (typeof CAMPAIGN_METRIC_NAMES)[number]) => prefix + n;
  return {
    dials: new client.Counter({
      name: name('dials_total'),
      help: 'Dials by provider and by what the dialer answered (an outcome, accepted: outcome to come, not_placed: refused by the provider)',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
    outcomes: new client.Counter({
      name: name('attempt_outcomes_total'),
      help: 'Attempts ended, by outcome (from the dialer, webhooks, reports, reconciliation or lease expiry)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    deferred: new client.Counter({
      name: name('attempts_deferred_total'),
      help: 'Due calls held back, by reason (calling_hours, holiday, cap, in_progress, hook, provider_limit)',
      labelNames: ['reason'] as const,
      registers,
    }),
    skipped: new client.Counter({
      name: name('calls_skipped_total'),
      help: 'Due calls ended without a dial, by reason (opted_out: on the do-not-call list, blocked: never allowed)',
      labelNames: ['reason'] as const,
      registers,
    }),
    lifecycle: new client.Counter({
      name: name('lifecycle_events_total'),
      help: 'Campaign status changes, by event (created, started, paused, resumed, cancelled, completed)',
      labelNames: ['event'] as const,
      registers,
    }),
    created: new client.Counter({
      name: name('campaigns_created_total'),
      help: 'Campaigns created (replays of an Idempotency-Key not counted)',
      registers,
    }),
    contacts: new client.Counter({
      name: name('contacts_received_total'),
      help: 'Contacts received in created campaigns, duplicates included',
      registers,
    }),
    dialLag: new client.Histogram({
      name: name('dial_lag_seconds'),
      help: 'Time from when a call was due to when its attempt was claimed for dialing',
      buckets: LAG_BUCKETS,
      registers,
    }),
    claimDuration: new client.Histogram({
      name: name('claim_duration_seconds'),
      help: 'Duration of one claim of due calls (one transaction)',
      buckets: DURATION_BUCKETS,
      registers,
    }),
    recordDuration: new client.Histogram({
      name: name('record_duration_seconds'),
      help: 'Duration of one write of dial results',
      buckets: DURATION_BUCKETS,
      registers,
    }),
    createDuration: new client.Histogram({
      name: name('create_campaign_duration_seconds'),
      help: 'Duration of creating a campaign from a validated request (POST /campaign or CampaignCreationService), by result (created, replayed, failed)',
      labelNames: ['result'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    dialsInFlight: new client.Gauge({
      name: name('dials_in_flight'),
      help: 'Dials this replica has in flight',
      registers,
      collect() {
        this.set(sources.dialsInFlight());
      },
    }),
    callsDue: new client.Gauge({
      name: name('calls_due'),
      help: 'Waiting calls (queued or retry pending) due now, in all campaigns; counted at most every few seconds',
      registers,
      async collect() {
        this.set(await sources.callsDue());
      },
    }),
    webhookAttempts: new client.Counter({
      name: name('webhook_attempts_total'),
      help: 'Webhook tries, by result (success, http_error, redirect, timeout, network, blocked)',
      labelNames: ['result'] as const,
      registers,
    }),
    webhookDeliveries: new client.Counter({
      name: name('webhook_deliveries_total'),
      help: 'Webhook deliveries ended, by result (delivered; failed: every try of the retry window failed)',
      labelNames: ['result'] as const,
      registers,
    }),
    webhookEndpointsDisabled: new client.Counter({
      name: name('webhook_endpoints_disabled_total'),
      help: 'Webhook endpoints disabled by the delivery worker, by reason (failing, gone)',
      labelNames: ['reason'] as const,
      registers,
    }),
    /** Takes the metrics off the registry (the app is closing). */
    unregister(): void {
      for (const n of CAMPAIGN_METRIC_NAMES) target.removeSingleMetric(name(n));
    },
  };
}

export type CampaignInstruments = ReturnType<typeof createCampaignInstruments>;

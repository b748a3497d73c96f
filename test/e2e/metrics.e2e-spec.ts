import {
  Controller,
  Get,
  Header,
  Module,
  type DynamicModule,
} from '@nestjs/common';
import { Registry } from 'prom-client';
import { CampaignMetricsService } from '../../lib';
import {
  createLoopTestApp,
  MINUTE,
  type LoopTestApp,
} from '../support/loop-test-app';
import { TEST_DIALECTS } from '../support/test-database';

/** A host route serving the registry, as a host (or the sample-app) would. */
function metricsRoute(registry: Registry): DynamicModule {
  @Controller('metrics')
  class MetricsController {
    @Get()
    @Header('Content-Type', registry.contentType)
    scrape(): Promise<string> {
      return registry.metrics();
    }
  }
  @Module({ controllers: [MetricsController] })
  class MetricsRouteModule {}
  return { module: MetricsRouteModule };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** A Wednesday at noon UTC, a few days ahead: a launch time the test controls. */
function nextWednesdayNoon(): Date {
  const at = new Date(Date.now() + 2 * 24 * 60 * MINUTE);
  at.setUTCHours(12, 0, 0, 0);
  while (at.getUTCDay() !== 3) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

describe.each(TEST_DIALECTS)('metrics (%s)', (dialect) => {
  let t: LoopTestApp | undefined;
  afterEach(() => t?.close());

  const scrape = async (app: LoopTestApp) => {
    const res = await app.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(
      /^text\/plain; version=0\.0\.4/,
    );
    const samples = parseExposition(res.text);
    /** The value of the one sample with exactly these labels. */
    return (name: string, labels: Record<string, string> = {}) => {
      const found = samples.filter(
        (s) =>
          s.name === name &&
          Object.keys(s.labels).length === Object.keys(labels).length &&
          Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      if (found.length !== 1) {
        throw new Error(
          `${found.length} samples ${name}${JSON.stringify(labels)} in:\n${res.text}`,
        );
      }
      return found[0].value;
    };
  };

  it('counts creation, dials, outcomes, deferrals, lag and durations, and serves them over HTTP', async () => {
    const registry = new Registry();
    const app = await createLoopTestApp(
      dialect,
      { '+34600000002': ['no_answer', 'answered'] },
      {
        metrics: { registry },
        // Noon in UTC is open, 21:00 in Tokyo is not.
        callingWindow: {
          start: '09:00',
          end: '17:00',
          days: [1, 2, 3, 4, 5, 6, 7],
        },
      },
      'express',
      [metricsRoute(registry)],
    );
    t = app;
    expect(app.app.get(CampaignMetricsService).enabled).toBe(true);
    const launch = nextWednesdayNoon();
    await app
      .post({
        playbook_id: app.playbookId,
        launch_at: launch.toISOString(),
        recall: [30],
        contacts: [
          { phone: '+34600000001', timezone: 'UTC' },
          { phone: '+34600000002', timezone: 'UTC' },
          { phone: '+34600000003', timezone: 'Asia/Tokyo' },
        ],
      })
      .expect(202);

    // The campaign starts at its launch time; the loop runs 5 s later.
    app.clock.set(new Date(launch.getTime() + 5_000));
    expect(await app.round()).toMatchObject({
      activated: 1,
      started: 2,
      deferred: 1,
    });
    // The retry of +34600000002 is due; the Tokyo call waits until 09:00 there.
    app.clock.advance(31 * MINUTE);

    const value = await scrape(app);
    expect(value('campaign_campaigns_created_total')).toBe(1);
    expect(value('campaign_contacts_received_total')).toBe(3);
    expect(
      value('campaign_create_campaign_duration_seconds_count', {
        result: 'created',
      }),
    ).toBe(1);
    expect(
      value('campaign_dials_total', {
        provider: 'custom',
        outcome: 'answered',
      }),
    ).toBe(1);
    expect(
      value('campaign_dials_total', {
        provider: 'custom',
        outcome: 'no_answer',
      }),
    ).toBe(1);
    expect(
      value('campaign_attempt_outcomes_total', { outcome: 'answered' }),
    ).toBe(1);
    expect(
      value('campaign_attempt_outcomes_total', { outcome: 'no_answer' }),
    ).toBe(1);
    expect(
      value('campaign_attempts_deferred_total', { reason: 'calling_hours' }),
    ).toBe(1);
    expect(value('campaign_lifecycle_events_total', { event: 'created' })).toBe(
      1,
    );
    expect(value('campaign_lifecycle_events_total', { event: 'started' })).toBe(
      1,
    );
    // Both dials were claimed 5 s after they were due.
    expect(value('campaign_dial_lag_seconds_count')).toBe(2);
    expect(value('campaign_dial_lag_seconds_sum')).toBe(10);
    expect(value('campaign_dial_lag_seconds_bucket', { le: '2' })).toBe(0);
    expect(value('campaign_dial_lag_seconds_bucket', { le: '5' })).toBe(2);
    expect(value('campaign_claim_duration_seconds_count')).toBeGreaterThan(0);
    expect(value('campaign_claim_duration_seconds_sum')).toBeGreaterThan(0);
    expect(value('campaign_record_duration_seconds_count')).toBeGreaterThan(0);
    expect(value('campaign_dials_in_flight')).toBe(0);
    expect(value('campaign_calls_due')).toBe(1);

    // The retry is answered and the Tokyo call's window opens: all done.
    expect(await app.round()).toMatchObject({ started: 1 });
    app.clock.advance(12 * 60 * MINUTE);
    expect(await app.round()).toMatchObject({ started: 1 });
    const after = await scrape(app);
    expect(
      after('campaign_dials_total', {
        provider: 'custom',
        outcome: 'answered',
      }),
    ).toBe(3);
    expect(
      after('campaign_lifecycle_events_total', { event: 'completed' }),
    ).toBe(1);
    expect(after('campaign_dial_lag_seconds_count')).toBe(4);
  });

  it('counts the dials in flight while a dial hangs', async () => {
    const registry = new Registry();
    const app = await createLoopTestApp(
      dialect,
      { '+34600000001': ['hang'] },
      { metrics: { registry, prefix: 'calls_' } },
      'express',
      [metricsRoute(registry)],
    );
    t = app;
    await app
      .post({
        playbook_id: app.playbookId,
        contacts: [{ phone: '+34600000001' }],
      })
      .expect(202);
    expect(await app.loop.tick()).toMatchObject({ started: 1 });
    expect((await scrape(app))('calls_dials_in_flight')).toBe(1);
    app.dialer.release();
    await app.loop.drain();
    const value = await scrape(app);
    expect(value('calls_dials_in_flight')).toBe(0);
    expect(
      value('calls_dials_total', { provider: 'custom', outcome: 'answered' }),
    ).toBe(1);
  });

  it('takes its metrics off the registry when the app closes, so another app can register them', async () => {
    const registry = new Registry();
    const first = await createLoopTestApp(
      dialect,
      {},
      { metrics: { registry } },
    );
    expect(registry.getSingleMetric('campaign_dials_total')).toBeDefined();
    await first.close();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    t = await createLoopTestApp(dialect, {}, { metrics: { registry } });
    expect(registry.getSingleMetric('campaign_calls_due')).toBeDefined();
  });
});

import * as promClient from 'prom-client';
import { DataSource } from 'typeorm';
import { sqliteDateText } from '../../lib/database/sqlite/sqlite.dialect';
import { CallsDueReader } from '../../lib/metrics/calls-due.reader';
import { createCampaignInstruments } from '../../lib/metrics/campaign-instruments';
import { FakeClock } from '../support/fake-clock';

const sources = {
  dialsInFlight: () => 0,
  callsDue: () => Promise.resolve(0),
};

describe('campaign instruments', () => {
  it('registers on the given registry only, under the prefix', () => {
    const registry = new promClient.Registry();
    createCampaignInstruments(promClient, registry, 'dialer_', sources);
    expect(registry.getSingleMetric('dialer_dials_total')).toBeDefined();
    expect(registry.getSingleMetric('campaign_dials_total')).toBeUndefined();
    expect(promClient.register.getMetricsAsArray()).toHaveLength(0);
  });

  it('refuses a registry that already has its names, saying what to pass', () => {
    const registry = new promClient.Registry();
    const first = createCampaignInstruments(
      promClient,
      registry,
      'campaign_',
      sources,
    );
    expect(() =>
      createCampaignInstruments(promClient, registry, 'campaign_', sources),
    ).toThrow(
      /campaign_dials_total, .* already registered .*Pass metrics\.registry or metrics\.prefix/,
    );
    first.unregister();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    expect(() =>
      createCampaignInstruments(promClient, registry, 'campaign_', sources),
    ).not.toThrow();
  });

  it('uses prom-client’s default registry when none is given', () => {
    const m = createCampaignInstruments(promClient, null, 'campaign_', sources);
    try {
      expect(
        promClient.register.getSingleMetric('campaign_calls_due'),
      ).toBeDefined();
    } finally {
      m.unregister();
    }
    expect(promClient.register.getMetricsAsArray()).toHaveLength(0);
  });
});

describe('CallsDueReader', () => {
  let dataSource: DataSource;
  const now = new Date('2030-05-01T12:00:00Z');
  beforeEach(async () => {
    dataSource = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
    });
    await dataSource.initialize();
    await dataSource.query(
      'CREATE TABLE campaign_calls (id INTEGER PRIMARY KEY, status TEXT, due_at TEXT)',
    );
    const rows: [string, number][] = [
      ['queued', -60_000],
      ['retry_pending', -1],
      ['queued', 60_000],
      ['dialing', -60_000],
      ['answered', -60_000],
    ];
    for (const [status, offset] of rows) {
      await dataSource.query(
        'INSERT INTO campaign_calls (status, due_at) VALUES (?, ?)',
        [status, sqliteDateText(new Date(now.getTime() + offset))],
      );
    }
  });
  afterEach(() => dataSource.destroy());

  it('counts waiting calls due now, and asks the database at most once per period', async () => {
    const query = jest.spyOn(dataSource, 'query');
    const clock = new FakeClock(now);
    const reader = new CallsDueReader(dataSource, clock, 60_000);
    expect(await Promise.all([reader.read(), reader.read()])).toEqual([2, 2]);
    clock.advance(120_000);
    expect(await reader.read()).toBe(2);
    expect(query).toHaveBeenCalledTimes(1);

    const fresh = new CallsDueReader(dataSource, clock, 0);
    expect(await fresh.read()).toBe(3);
  });

  it('keeps the last count when the database fails', async () => {
    const clock = new FakeClock(now);
    const reader = new CallsDueReader(dataSource, clock, 0);
    expect(await reader.read()).toBe(2);
    await dataSource.query('DROP TABLE campaign_calls');
    expect(await reader.read()).toBe(2);
  });
});

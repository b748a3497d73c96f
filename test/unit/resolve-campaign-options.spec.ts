import { resolveCampaignOptions } from '../../lib';

describe('resolveCampaignOptions', () => {
  it('merges the defaults', () => {
    expect(resolveCampaignOptions()).toEqual({
      authenticate: undefined,
      findPlaybook: undefined,
      defaultCountry: undefined,
      defaultTimezone: 'UTC',
      maxContactsPerCampaign: 10_000,
      maxBodyBytes: 16 * 1024 * 1024,
      routePrefix: 'campaign',
      recall: { maxEntries: 10, maxMinutes: 43_200 },
      insertChunkSize: 1_000,
      dialer: undefined,
      clock: undefined,
      eventEmitter: undefined,
      events: {
        relay: true,
        pollIntervalMs: 1_000,
        batchSize: 200,
        leaseMs: 30_000,
        subscriberTimeoutMs: 10_000,
      },
      callingWindow: { start: '09:00', end: '20:00', days: [1, 2, 3, 4, 5, 6] },
      retryVoicemail: false,
      callingRules: { builtIn: true, rules: [] },
      maxAttemptsPerContact: null,
      beforeDial: undefined,
      beforeDialTimeoutMs: 2_000,
      metrics: null,
      retention: null,
      webhooks: {
        deliver: true,
        allowPrivateTargets: false,
        allowHttp: false,
        pollIntervalMs: 1_000,
        maxConcurrency: 8,
        maxPerEndpoint: 2,
        requestTimeoutMs: 15_000,
        maxResponseBytes: 65_536,
        retryBaseDelayMs: 5_000,
        retryMaxDelayMs: 6 * 60 * 60_000,
        retryForMs: 3 * 24 * 60 * 60_000,
        disableAfterMs: 5 * 24 * 60 * 60_000,
        maxEndpointsPerAccount: 20,
      },
      scheduler: {
        enabled: true,
        tickIntervalMs: 1_000,
        batchSize: 200,
        leaseMs: 60_000,
        outcomeTimeoutMs: 1_800_000,
        maxInFlight: 50,
        maxInFlightPerAccount: 20,
        callsPerSecond: 20,
        shutdownTimeoutMs: 10_000,
        replicaId: expect.stringMatching(/^.+-\d+-[0-9a-f]{6}$/),
      },
    });
    expect(
      resolveCampaignOptions({ recall: { maxEntries: 3 } }).recall,
    ).toEqual({
      maxEntries: 3,
      maxMinutes: 43_200,
    });
  });

  it('rejects invalid options with every problem named', () => {
    expect(() =>
      resolveCampaignOptions({
        defaultTimezone: 'Mars/Olympus',
        maxContactsPerCampaign: 0,
        defaultCountry: 'XX' as never,
      }),
    ).toThrow(
      'Invalid CampaignModule options: defaultTimezone "Mars/Olympus" is not an IANA zone; defaultCountry "XX" is not supported; maxContactsPerCampaign must be a positive integer',
    );
  });

  it('takes undefined anywhere as the default (options straight from process.env)', () => {
    const env: Record<string, string | undefined> = {};
    const resolved = resolveCampaignOptions({
      defaultTimezone: env.CAMPAIGN_TZ,
      maxContactsPerCampaign: undefined,
      recall: { maxEntries: undefined },
      callingWindow: { start: undefined, end: '21:00' },
      scheduler: { replicaId: env.REPLICA_ID, tickIntervalMs: undefined },
    });
    expect(resolved.defaultTimezone).toBe('UTC');
    expect(resolved.maxContactsPerCampaign).toBe(10_000);
    expect(resolved.recall.maxEntries).toBe(10);
    expect(resolved.callingWindow).toEqual({
      start: '09:00',
      end: '21:00',
      days: [1, 2, 3, 4, 5, 6],
    });
    expect(resolved.scheduler.tickIntervalMs).toBe(1_000);
    expect(resolved.scheduler.replicaId).toMatch(/^.+-\d+-[0-9a-f]{6}$/);
  });

  it('fails on an unknown key at any level, naming it', () => {
    expect(() =>
      resolveCampaignOptions({ schedular: { enabled: false } } as never),
    ).toThrow('Unknown CampaignModule option "schedular"');
    expect(() =>
      resolveCampaignOptions({ scheduler: { tickInterval: 5 } } as never),
    ).toThrow('Unknown CampaignModule option "scheduler.tickInterval"');
    expect(() =>
      resolveCampaignOptions({
        recall: { maxEntires: 3 },
        callingWindow: { stop: '20:00' },
      } as never),
    ).toThrow(
      'Unknown CampaignModule option "recall.maxEntires"; Unknown CampaignModule option "callingWindow.stop"',
    );
    expect(() =>
      resolveCampaignOptions({ scheduler: 'fast' } as never),
    ).toThrow('CampaignModule option "scheduler" must be an object');
  });

  it('names a wrong type instead of crashing', () => {
    expect(() =>
      resolveCampaignOptions({ scheduler: { replicaId: 42 as never } }),
    ).toThrow('scheduler.replicaId must be a string of 1 to 64 characters');
    expect(() =>
      resolveCampaignOptions({
        scheduler: { tickIntervalMs: '1000' as never },
      }),
    ).toThrow('scheduler.tickIntervalMs must be a positive integer');
  });

  it('turns retention on when the object is given, with the default interval and batch', () => {
    expect(
      resolveCampaignOptions({ retention: { olderThanDays: 30 } }).retention,
    ).toEqual({ olderThanDays: 30, everyMs: 3_600_000, batchSize: 500 });
    expect(
      resolveCampaignOptions({
        retention: { olderThanDays: 7, everyMs: 60_000, batchSize: undefined },
      }).retention,
    ).toEqual({ olderThanDays: 7, everyMs: 60_000, batchSize: 500 });
    expect(
      resolveCampaignOptions({ retention: undefined }).retention,
    ).toBeNull();
    expect(() =>
      resolveCampaignOptions({
        retention: { olderThanDays: 0.5, everyMs: 2 ** 31, batchSize: 5_001 },
      }),
    ).toThrow(
      "Invalid CampaignModule options: retention.olderThanDays must be a positive integer; retention.batchSize must be at most 5000 (SQLite's bind-parameter limit); retention.everyMs must be a positive integer of at most 2147483647",
    );
    expect(() => resolveCampaignOptions({ retention: {} } as never)).toThrow(
      'retention.olderThanDays must be a positive integer',
    );
    expect(() =>
      resolveCampaignOptions({
        retention: { olderThanDays: 7, every: 1 },
      } as never),
    ).toThrow('Unknown CampaignModule option "retention.every"');
  });

  it('turns metrics on when the object is given, with the default prefix and registry', () => {
    const registry = {
      getSingleMetric: () => undefined,
      removeSingleMetric: () => undefined,
    };
    expect(resolveCampaignOptions({ metrics: {} }).metrics).toEqual({
      registry: null,
      prefix: 'campaign_',
    });
    expect(
      resolveCampaignOptions({ metrics: { registry, prefix: 'calls_' } })
        .metrics,
    ).toEqual({ registry, prefix: 'calls_' });
    expect(
      resolveCampaignOptions({ metrics: { prefix: undefined } }).metrics,
    ).toEqual({ registry: null, prefix: 'campaign_' });
    expect(resolveCampaignOptions({ metrics: undefined }).metrics).toBeNull();
    expect(() =>
      resolveCampaignOptions({ metrics: { prefix: 'bad-prefix' } }),
    ).toThrow('metrics.prefix must be a Prometheus metric name prefix');
    expect(() =>
      resolveCampaignOptions({ metrics: { registy: registry } } as never),
    ).toThrow('Unknown CampaignModule option "metrics.registy"');
  });

  it('checks the event relay settings', () => {
    expect(
      resolveCampaignOptions({ events: { pollIntervalMs: 50, relay: false } })
        .events,
    ).toMatchObject({ pollIntervalMs: 50, relay: false, leaseMs: 30_000 });
    expect(() =>
      resolveCampaignOptions({ events: { leaseMs: 5_000 } }),
    ).toThrow(
      'events.leaseMs must be at least twice events.subscriberTimeoutMs',
    );
    expect(() => resolveCampaignOptions({ events: { batchSize: 0 } })).toThrow(
      'events.batchSize must be a positive integer',
    );
    expect(() =>
      resolveCampaignOptions({ events: { relay: 'yes' } } as never),
    ).toThrow('events.relay must be true or false');
    expect(() =>
      resolveCampaignOptions({ events: { lease: 1 } } as never),
    ).toThrow('Unknown CampaignModule option "events.lease"');
  });

  it('checks the webhook options, naming each problem', () => {
    expect(
      resolveCampaignOptions({
        webhooks: {
          allowHttp: true,
          allowPrivateTargets: ['10.0.0.0/8', 'hooks.lan', '::1'],
        },
      }).webhooks,
    ).toMatchObject({
      allowHttp: true,
      allowPrivateTargets: ['10.0.0.0/8', 'hooks.lan', '::1'],
      retryForMs: 3 * 24 * 60 * 60_000,
    });
    expect(
      resolveCampaignOptions({ webhooks: { requestTimeoutMs: undefined } })
        .webhooks.requestTimeoutMs,
    ).toBe(15_000);
    const bad = () =>
      resolveCampaignOptions({
        webhooks: {
          retryForMs: 60 * 60_000,
          maxConcurrency: 0,
          allowPrivateTargets: ['10.0.0.0/33', 'not a host!'],
          allowHttp: 'yes' as unknown as boolean,
          retryBaseDelayMs: 10_000,
          retryMaxDelayMs: 5_000,
        },
      });
    expect(bad).toThrow(
      /webhooks\.retryForMs must be at least 86400000 \(24 h\)/,
    );
    expect(bad).toThrow(/webhooks\.maxConcurrency must be a positive integer/);
    expect(bad).toThrow(/"10\.0\.0\.0\/33" is not a host name, IP or CIDR/);
    expect(bad).toThrow(/"not a host!" is not a host name/);
    expect(bad).toThrow(/webhooks\.allowHttp must be true or false/);
    expect(bad).toThrow(
      /webhooks\.retryMaxDelayMs must be at least retryBaseDelayMs/,
    );
    expect(() =>
      resolveCampaignOptions({ webhooks: { allowPrivate: true } as never }),
    ).toThrow('Unknown CampaignModule option "webhooks.allowPrivate"');
  });
});

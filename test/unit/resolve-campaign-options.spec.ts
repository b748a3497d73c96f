import { resolveCampaignOptions } from '../../lib';

describe('resolveCampaignOptions', () => {
  it('merges the defaults', () => {
    expect(resolveCampaignOptions()).toEqual({
      authenticate: undefined,
      findPlaybook: undefined,
      defaultCountry: undefined,
      defaultTimezone: 'UTC',
      maxContactsPerCampaign: 10_000,
      recall: { maxEntries: 10, maxMinutes: 43_200 },
      insertChunkSize: 1_000,
      dialer: undefined,
      clock: undefined,
      eventEmitter: undefined,
      callingWindow: { start: '09:00', end: '20:00', days: [1, 2, 3, 4, 5, 6] },
      retryVoicemail: false,
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
});

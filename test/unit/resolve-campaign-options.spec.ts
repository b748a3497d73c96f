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

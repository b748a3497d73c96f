import { sampleLimits } from '../../sample-app/sample-limits';

describe("the sample-app's limits from its environment", () => {
  it('takes the module defaults when unset or empty', () => {
    expect(sampleLimits({})).toEqual({
      maxContactsPerCampaign: undefined,
      maxBodyBytes: undefined,
    });
    expect(sampleLimits({ MAX_BODY_BYTES: '' }).maxBodyBytes).toBeUndefined();
  });

  it('reads positive whole numbers', () => {
    expect(
      sampleLimits({
        MAX_CONTACTS_PER_CAMPAIGN: '1000000',
        MAX_BODY_BYTES: '268435456',
      }),
    ).toEqual({ maxContactsPerCampaign: 1_000_000, maxBodyBytes: 268_435_456 });
  });

  it.each(['0', '-5', '1e6', '10.5', ' 10', 'abc'])(
    'refuses %p, naming the variable',
    (value) => {
      expect(() => sampleLimits({ MAX_CONTACTS_PER_CAMPAIGN: value })).toThrow(
        `MAX_CONTACTS_PER_CAMPAIGN must be a positive whole number, not "${value}"`,
      );
    },
  );
});

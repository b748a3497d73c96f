/**
 * `@nestjs/terminus` is an optional peer: the main entry point must load
 * without it, and only `nestjs-call-campaigns/health` needs it.
 */
describe('the health entry point', () => {
  afterEach(() => {
    jest.dontMock('@nestjs/terminus');
  });

  it('keeps @nestjs/terminus out of the main entry point', () => {
    jest.isolateModules(() => {
      jest.doMock('@nestjs/terminus', () => {
        throw new Error("Cannot find module '@nestjs/terminus'");
      });
      const main = jest.requireActual<{ CampaignModule?: unknown }>(
        '../../lib',
      );
      expect(main.CampaignModule).toEqual(expect.any(Function));
      expect(() => jest.requireActual('../../lib/health')).toThrow(
        "Cannot find module '@nestjs/terminus'",
      );
    });
  });

  it('exports the indicator and its module from the health entry point', () => {
    const health =
      jest.requireActual<Record<string, unknown>>('../../lib/health');
    expect(Object.keys(health).sort()).toEqual([
      'CampaignHealthIndicator',
      'CampaignHealthModule',
      'DEFAULT_HEALTH_DATABASE_TIMEOUT_MS',
      'DEFAULT_MAX_BACKLOG_LAG_MS',
    ]);
  });
});

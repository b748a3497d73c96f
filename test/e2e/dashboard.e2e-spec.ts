import { CampaignListService, CampaignModule } from '../../lib';
import { createLoopTestApp, type LoopTestApp } from '../support/loop-test-app';
import {
  createTestApp,
  httpMatrix,
  type TestApp,
  type TestAppConfig,
  type TestPlatform,
} from '../support/test-app';
import { TEST_DIALECTS, type TestDialect } from '../support/test-database';

/** The page's two asset URLs, as it names them (relative to the page). */
const assetsOf = (html: string): string[] =>
  [...html.matchAll(/(?:src|href)="([^"]+\/assets\/[^"]+)"/g)].map((m) => m[1]);

describe.each(httpMatrix(TEST_DIALECTS))(
  'dashboard routes (%s, %s)',
  (dialect: TestDialect, platform: TestPlatform) => {
    let t: TestApp | undefined;
    const start = async (config: TestAppConfig) => {
      t = await createTestApp(dialect, { platform, ...config });
      return t;
    };
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('does not exist without the option: the host gains no page route', async () => {
      const app = await start({});
      await app.http().get('/campaign-dashboard').expect(404);
      await app
        .http()
        .get('/campaign-dashboard/assets/dashboard.js')
        .expect(404);
    });

    it('serves the page and its two files, nothing inline, nothing from elsewhere', async () => {
      const app = await start({ extras: { dashboard: {} } });
      const page = await app.http().get('/campaign-dashboard').expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toMatch(
        /^default-src 'self'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'$/,
      );
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['cache-control']).toBe('no-cache');
      const html = page.text;
      expect(html).toContain('data-api-prefix="campaign"');
      expect(html).toContain('data-refresh-ms="2000"');
      // Every script is a file of the page's own; no inline script or style.
      expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
        expect.stringMatching(
          /src="campaign-dashboard\/assets\/dashboard\.[0-9a-f]{12}\.js"/,
        ),
      ]);
      expect(html).not.toMatch(/<style|\sstyle=|\son\w+=|https?:\/\//);
      const [style, script] = assetsOf(html);
      expect(style).toMatch(/\.css$/);
      expect(script).toMatch(/\.js$/);

      const css = await app.http().get(`/${style}`).expect(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(css.headers['cache-control']).toBe(
        'public, max-age=31536000, immutable',
      );
      const js = await app.http().get(`/${script}`).expect(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.headers['x-content-type-options']).toBe('nosniff');
      expect(js.text).toContain("'use strict'");

      const missing = await app
        .http()
        .get('/campaign-dashboard/assets/dashboard.js')
        .expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404 });
      await app
        .http()
        .get('/campaign-dashboard/assets/..%2F..%2Fpackage.json')
        .expect(404);
    });

    it('a trailing slash redirects to the page (its asset URLs are relative)', async () => {
      const app = await start({ extras: { dashboard: {} } });
      const res = await app.http().get('/campaign-dashboard/?x=1');
      if (platform === 'fastify') {
        // Fastify routes `/x/` apart from `/x` (unless the host sets
        // ignoreTrailingSlash, then it is the redirect below).
        expect(res.status).toBe(404);
        return;
      }
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('../campaign-dashboard');
    });

    it('a nested path, a route prefix and forRootAsync', async () => {
      const app = await start({
        campaignModule: CampaignModule.forRootAsync({
          routePrefix: 'v1/campaigns',
          dashboard: { path: '/ops/calls/', refreshIntervalMs: 500 },
          useFactory: () => ({}),
        }),
      });
      await app.http().get('/campaign-dashboard').expect(404);
      const page = await app.http().get('/ops/calls').expect(200);
      expect(page.text).toContain('data-dashboard-path="ops/calls"');
      expect(page.text).toContain('data-api-prefix="v1/campaigns"');
      expect(page.text).toContain('data-refresh-ms="500"');
      for (const asset of assetsOf(page.text)) {
        expect(asset.startsWith('calls/assets/')).toBe(true);
        await app.http().get(`/ops/${asset}`).expect(200);
      }
      // The page holds nothing of an account: the data is the API's, behind its token.
      await app.http().get('/v1/campaigns').expect(401);
    });
  },
);

describe('dashboard options', () => {
  it.each([
    [{ colour: 'blue' }, 'Unknown CampaignModule option "dashboard.colour"'],
    [{ path: '' }, 'dashboard.path must be a path'],
    [{ path: 'a b' }, 'dashboard.path must be a path'],
    [{ path: 'x/../y' }, 'dashboard.path must be a path'],
    [{ path: 7 }, 'dashboard.path must be a path'],
    [{ path: 'campaign' }, 'dashboard.path must not be under routePrefix'],
    [{ path: 'campaign/board' }, 'must not be under routePrefix "campaign"'],
    [{ refreshIntervalMs: 100 }, 'dashboard.refreshIntervalMs must be'],
    [{ refreshIntervalMs: 1.5 }, 'dashboard.refreshIntervalMs must be'],
    [true, 'dashboard must be an object'],
  ])('fails the import on %j', (dashboard, message) => {
    expect(() =>
      CampaignModule.forRoot({ dashboard: dashboard as never }),
    ).toThrow(message);
    expect(() =>
      CampaignModule.forRootAsync({
        dashboard: dashboard as never,
        useFactory: () => ({}),
      }),
    ).toThrow(message);
  });

  it('undefined values mean the defaults', async () => {
    const t = await createTestApp('sqlite', {
      extras: {
        dashboard: { path: undefined, refreshIntervalMs: undefined },
      },
    });
    try {
      const page = await t.http().get('/campaign-dashboard').expect(200);
      expect(page.text).toContain('data-refresh-ms="2000"');
    } finally {
      await t.close();
    }
  });
});

describe.each(TEST_DIALECTS)('counts for the dashboard (%s)', (dialect) => {
  let t: LoopTestApp;
  afterEach(() => t?.close());

  const get = (path: string) =>
    t.http().get(path).set('Authorization', `Bearer ${t.token}`);

  it('GET /campaign?counts=true: calls by status; GET /campaign/:id: by outcome', async () => {
    t = await createLoopTestApp(
      dialect,
      { '+34600000002': ['no_answer'], '+34600000003': ['busy'] },
      { scheduler: { batchSize: 50 } },
    );
    const created = await t
      .post({
        playbook_id: t.playbookId,
        contacts: [
          { phone: '+34600000001' },
          { phone: '+34600000002' },
          { phone: '+34600000003' },
        ],
        recall: [30],
      })
      .expect(202);
    const id = created.body.campaign_id as string;
    const queued = (await get('/campaign?counts=true').expect(200)).body;
    expect(queued.data).toEqual([
      expect.objectContaining({
        campaign_id: id,
        calls: { total: 3, by_status: { queued: 3 } },
      }),
    ]);
    // Without counts the list is as it was.
    expect((await get('/campaign').expect(200)).body.data[0].calls).toEqual({
      total: 3,
    });
    expect(
      (await get('/campaign?counts=false').expect(200)).body.data[0].calls,
    ).toEqual({ total: 3 });

    await t.round();
    const listed = (await get('/campaign?counts=true').expect(200)).body;
    expect(listed.data[0].calls).toEqual({
      total: 3,
      by_status: { answered: 1, retry_pending: 2 },
    });
    const details = (await get(`/campaign/${id}`).expect(200)).body;
    expect(details.calls).toEqual({
      total: 3,
      by_status: { answered: 1, retry_pending: 2 },
      by_outcome: { answered: 1, no_answer: 1, busy: 1 },
    });
  });

  it('counts must be true or false: a 400 naming it', async () => {
    t = await createLoopTestApp(dialect);
    for (const value of ['yes', '1', '']) {
      const res = await get(`/campaign?counts=${value}`).expect(400);
      expect(res.body.errors).toEqual([
        { field: 'counts', message: 'must be true or false' },
      ]);
    }
    // The same check for a host calling the service.
    await expect(
      t.app
        .get(CampaignListService)
        .listCampaigns({ id: t.accountId }, { counts: 'yes' as never }),
    ).rejects.toMatchObject({
      response: {
        errors: [{ field: 'counts', message: 'must be true or false' }],
      },
    });
  });
});

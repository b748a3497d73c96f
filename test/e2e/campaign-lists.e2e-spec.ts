import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  ApiTokenService,
  CampaignListService,
  DoNotCallService,
  LIST_PAGE_LIMIT,
  PlaybookService,
} from '../../lib';
import type { FakeClock } from '../support/fake-clock';
import {
  createLoopTestApp,
  MINUTE,
  type LoopTestApp,
} from '../support/loop-test-app';
import type { ScriptedDialer } from '../support/scripted-dialer';
import {
  createTestApp,
  TEST_PLATFORMS,
  type TestPlatform,
} from '../support/test-app';
import { TEST_DIALECTS } from '../support/test-database';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '2b7c5a9e-3f1d-4c2a-9d8e-5f6a7b8c9d0e';

const phone = (i: number) => `+346000${String(i).padStart(5, '0')}`;
const cursorOf = (parts: unknown) =>
  Buffer.from(JSON.stringify(parts)).toString('base64url');

interface Page<T = Record<string, unknown>> {
  data: T[];
  next_cursor: string | null;
}
interface CallItem {
  call_id: string;
  phone: string;
  status: string;
  attempts: unknown[];
  [key: string]: unknown;
}

describe.each(TEST_DIALECTS)('campaign lists (%s)', (dialect) => {
  let t: LoopTestApp;
  let clock: FakeClock;

  const start = async (
    script: ConstructorParameters<typeof ScriptedDialer>[0] = {},
  ) => {
    const app = await createLoopTestApp(dialect, script);
    ({ clock } = app);
    t = app;
  };
  afterEach(() => t?.close());

  const get = (path: string, token: string | null = t.token) => {
    const req = t.http().get(path);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };
  const round = () => t.round();
  const createCampaign = async (body: Record<string, unknown> = {}) => {
    const res = await t
      .post({
        playbook_id: t.playbookId,
        contacts: [{ phone: phone(1) }],
        ...body,
      })
      .expect(202);
    return res.body.campaign_id as string;
  };
  /** Every page of a list, following next_cursor. */
  const walk = async <T>(path: string, token = t.token) => {
    const pages: Page<T>[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const url: string = cursor
        ? `${path}${sep}cursor=${encodeURIComponent(cursor)}`
        : path;
      const page = (await get(url, token).expect(200)).body as Page<T>;
      pages.push(page);
      cursor = page.next_cursor;
      if (pages.length > 50) throw new Error('cursor loop');
    } while (cursor);
    return pages;
  };
  const expectBadRequest = async (path: string, field: string) => {
    const res = await get(path).expect(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      errors: expect.arrayContaining([{ field, message: expect.any(String) }]),
    });
    expect(res.body.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${field}: `)),
      ]),
    );
    return res.body as { errors: { field: string; message: string }[] };
  };

  describe('GET /campaign/:id/calls', () => {
    it('walks every call exactly once in a stable order, with contact fields', async () => {
      await start();
      const contacts = Array.from({ length: 25 }, (_, i) => ({
        phone: phone(i + 1),
        first_name: `First${i + 1}`,
        ...(i % 2 ? { last_name: `Last${i + 1}` } : {}),
      }));
      const id = await createCampaign({ contacts });

      const pages = await walk<CallItem>(`/campaign/${id}/calls?limit=10`);
      expect(pages.map((p) => p.data.length)).toEqual([10, 10, 5]);
      expect(pages.map((p) => p.next_cursor === null)).toEqual([
        false,
        false,
        true,
      ]);
      const ids = pages.flatMap((p) => p.data.map((c) => c.call_id));
      expect(new Set(ids).size).toBe(25);
      expect(ids).toEqual([...ids].sort());
      const stored = await t.rows<{ id: string }>('campaign_calls');
      expect(new Set(ids)).toEqual(new Set(stored.map((r) => r.id)));

      // The same request gives the same page.
      const again = (await get(`/campaign/${id}/calls?limit=10`).expect(200))
        .body as Page<CallItem>;
      expect(again).toEqual(pages[0]);
      // A page through the next cursor starts right after the previous one.
      const second = (
        await get(
          `/campaign/${id}/calls?limit=10&cursor=${pages[0].next_cursor}`,
        ).expect(200)
      ).body as Page<CallItem>;
      expect(second).toEqual(pages[1]);

      const items = pages.flatMap((p) => p.data);
      const byPhone = new Map(items.map((c) => [c.phone, c]));
      const contactsByPhone = new Map(
        (await t.rows<{ id: string; phone: string }>('campaign_contacts')).map(
          (c) => [c.phone, c.id],
        ),
      );
      expect(byPhone.get(phone(2))).toEqual({
        call_id: expect.any(String),
        contact_id: contactsByPhone.get(phone(2)),
        phone: phone(2),
        first_name: 'First2',
        last_name: 'Last2',
        status: 'queued',
        attempt_count: 0,
        due_at: expect.stringMatching(ISO),
        last_outcome: null,
        waiting: null,
        attempts: [],
      });
      expect(byPhone.get(phone(1))).toMatchObject({ last_name: null });

      // Default limit (50) takes all 25 at once.
      const all = (await get(`/campaign/${id}/calls`).expect(200))
        .body as Page<CallItem>;
      expect(all.data.map((c) => c.call_id)).toEqual(ids);
      expect(all.next_cursor).toBeNull();
      // limit 200 is allowed; a page ending on the last call has no next_cursor.
      await get(`/campaign/${id}/calls?limit=200`).expect(200);
      const exact = await walk<CallItem>(`/campaign/${id}/calls?limit=25`);
      expect(exact).toHaveLength(1);
    });

    it('shows attempts and outcomes after the loop dialed, and filters by status', async () => {
      await start({
        [phone(1)]: ['no_answer', 'answered'],
        [phone(2)]: ['busy', 'busy'],
      });
      const id = await createCampaign({
        recall: [30],
        contacts: [
          { phone: phone(1) },
          { phone: phone(2) },
          { phone: phone(3) },
        ],
      });
      const firstStart = clock.time;
      expect(await round()).toMatchObject({ started: 3 });

      const listAll = async () =>
        new Map(
          (
            (await get(`/campaign/${id}/calls`).expect(200))
              .body as Page<CallItem>
          ).data.map((c) => [c.phone, c]),
        );
      let calls = await listAll();
      expect(calls.get(phone(1))).toMatchObject({
        status: 'retry_pending',
        attempt_count: 1,
        due_at: new Date(firstStart.getTime() + 30 * MINUTE).toISOString(),
        last_outcome: 'no_answer',
      });
      const first = calls.get(phone(1))!;
      expect(first.attempts).toEqual([
        {
          number: 1,
          started_at: firstStart.toISOString(),
          ended_at: expect.stringMatching(ISO),
          outcome: 'no_answer',
          provider_call_id: `p-${first.call_id}-1`,
          verdict: expect.objectContaining({ country: 'ES' }),
        },
      ]);
      expect(calls.get(phone(3))).toMatchObject({
        status: 'answered',
        attempt_count: 1,
        due_at: null,
        last_outcome: 'answered',
        attempts: [{ number: 1, outcome: 'answered' }],
      });

      clock.advance(30 * MINUTE);
      expect(await round()).toMatchObject({ started: 2 });
      calls = await listAll();
      const retried = calls.get(phone(1))!;
      expect(retried).toMatchObject({
        status: 'answered',
        attempt_count: 2,
        due_at: null,
        last_outcome: 'answered',
      });
      expect(retried.attempts).toEqual([
        expect.objectContaining({ number: 1, outcome: 'no_answer' }),
        {
          number: 2,
          started_at: clock.time.toISOString(),
          ended_at: expect.stringMatching(ISO),
          outcome: 'answered',
          provider_call_id: `p-${retried.call_id}-2`,
          verdict: expect.objectContaining({ country: 'ES' }),
        },
      ]);
      expect(calls.get(phone(2))).toMatchObject({
        status: 'failed',
        attempt_count: 2,
        due_at: null,
        last_outcome: 'busy',
        attempts: [
          { number: 1, outcome: 'busy' },
          { number: 2, outcome: 'busy' },
        ],
      });

      const answered = (
        await get(`/campaign/${id}/calls?status=answered`).expect(200)
      ).body as Page<CallItem>;
      expect(answered.data.map((c) => c.phone).sort()).toEqual([
        phone(1),
        phone(3),
      ]);
      const answeredPages = await walk<CallItem>(
        `/campaign/${id}/calls?status=answered&limit=1`,
      );
      expect(answeredPages.flatMap((p) => p.data.map((c) => c.phone))).toEqual(
        answered.data.map((c) => c.phone),
      );
      const failed = (
        await get(`/campaign/${id}/calls?status=failed`).expect(200)
      ).body as Page<CallItem>;
      expect(failed.data.map((c) => c.phone)).toEqual([phone(2)]);
      expect(
        (await get(`/campaign/${id}/calls?status=queued`).expect(200)).body,
      ).toEqual({ data: [], next_cursor: null });
    });

    it('loads the attempts of a page in one query', async () => {
      await start();
      const id = await createCampaign({
        contacts: Array.from({ length: 12 }, (_, i) => ({ phone: phone(i) })),
      });
      await round();
      const spy = jest.spyOn(t.dataSource, 'query');
      try {
        const page = (await get(`/campaign/${id}/calls?limit=10`).expect(200))
          .body as Page<CallItem>;
        expect(page.data).toHaveLength(10);
        expect(page.data.every((c) => c.attempts.length === 1)).toBe(true);
        const sql = spy.mock.calls.map(([text]) => String(text));
        expect(
          sql.filter((s) => s.includes('campaign_call_attempts')),
        ).toHaveLength(1);
        expect(sql.filter((s) => /FROM\s+campaign_calls/.test(s))).toHaveLength(
          1,
        );
      } finally {
        spy.mockRestore();
      }
    });

    it("is the owner's only: 404 for another account's, unknown or malformed id; 401 without a token", async () => {
      await start();
      const id = await createCampaign();
      const other = await t.app.get(ApiTokenService).issue('acct-other');
      await get(`/campaign/${id}/calls`, other.token).expect(404);
      await get(`/campaign/${UNKNOWN_ID}/calls`).expect(404);
      await get('/campaign/not-a-uuid/calls').expect(404);
      await get(`/campaign/${id}x/calls`).expect(404);
      await get(`/campaign/${id}/calls`, null)
        .expect(401)
        .expect('WWW-Authenticate', 'Bearer');
      await get(`/campaign/${id.toUpperCase()}/calls`).expect(200);
      // The service answers null to a direct caller as well.
      expect(
        await t.app
          .get(CampaignListService)
          .listCalls({ id: 'acct-other' }, id),
      ).toBeNull();
    });

    it('rejects a bad limit, cursor, status or an unknown parameter with a 400 naming it', async () => {
      await start();
      const id = await createCampaign();
      const calls = `/campaign/${id}/calls`;
      for (const limit of ['0', '201', '1.5', 'abc', '', '-1', '1e2', '0x10']) {
        const body = await expectBadRequest(
          `${calls}?limit=${encodeURIComponent(limit)}`,
          'limit',
        );
        expect(body.errors).toEqual([
          { field: 'limit', message: 'must be an integer from 1 to 200' },
        ]);
      }
      await expectBadRequest(`${calls}?limit=5&limit=6`, 'limit');
      for (const cursor of [
        '',
        'not a cursor',
        '%%%',
        cursorOf(['call', 'not-a-uuid']),
        cursorOf(['call', 5]),
        cursorOf(['campaign', '2030-01-01 00:00:00.000', UNKNOWN_ID]),
        Buffer.from('{"id":1}').toString('base64url'),
        'A'.repeat(600),
      ]) {
        const body = await expectBadRequest(
          `${calls}?cursor=${encodeURIComponent(cursor)}`,
          'cursor',
        );
        expect(body.errors).toEqual([
          { field: 'cursor', message: 'is not a valid cursor' },
        ]);
      }
      const status = await expectBadRequest(`${calls}?status=bogus`, 'status');
      expect(status.errors[0].message).toContain('retry_pending');
      await expectBadRequest(`${calls}?status=running`, 'status');
      await expectBadRequest(`${calls}?status=queued&status=failed`, 'status');
      await expectBadRequest(`${calls}?page=2`, 'page');
      await expectBadRequest(`${calls}?__proto__=x`, '__proto__');
      await expectBadRequest(`${calls}?toString=x`, 'toString');
      // Every failing parameter at once.
      const all = await get(`${calls}?limit=0&status=x&cursor=y&foo=1`).expect(
        400,
      );
      expect(
        (all.body.errors as { field: string }[]).map((e) => e.field).sort(),
      ).toEqual(['cursor', 'foo', 'limit', 'status']);
      // Validation comes after authentication.
      await get(`${calls}?limit=0`, null).expect(401);
      // A cursor that decodes but points past the last call: an empty page.
      const past = cursorOf(['call', 'ffffffff-ffff-4fff-bfff-ffffffffffff']);
      expect((await get(`${calls}?cursor=${past}`).expect(200)).body).toEqual({
        data: [],
        next_cursor: null,
      });
    });
  });

  describe('GET /campaign', () => {
    const CAMPAIGN_KEYS = [
      'campaign_id',
      'status',
      'playbook_id',
      'launch_at',
      'recall',
      'timezone',
      'calling_window',
      'created_at',
      'started_at',
      'completed_at',
      'calls',
    ].sort();

    it("lists the caller's campaigns only, newest first, paginated and filtered", async () => {
      await start();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          await createCampaign({
            contacts: [{ phone: phone(i) }, { phone: phone(i + 10) }],
            recall: [30, 120],
          }),
        );
      }
      const launch = new Date(Date.now() + 60 * MINUTE);
      const scheduled = await createCampaign({
        launch_at: launch.toISOString(),
      });
      ids.push(scheduled);
      // Other account: its own token, playbook and campaign.
      const other = await t.app.get(ApiTokenService).issue('acct-other');
      const otherPlaybook = await t.app
        .get(PlaybookService)
        .register({ accountId: 'acct-other', name: 'Other' });
      const otherCampaign = (
        await t
          .http()
          .post('/campaign')
          .set('Authorization', `Bearer ${other.token}`)
          .send({
            playbook_id: otherPlaybook.id,
            contacts: [{ phone: phone(99) }],
          })
          .expect(202)
      ).body.campaign_id as string;

      // Two of them share created_at: id desc breaks the tie.
      await setCreatedAt(t, ids[0], '2030-01-01T00:00:00.000Z');
      await setCreatedAt(t, ids[1], '2030-01-01T00:00:02.000Z');
      await setCreatedAt(t, ids[2], '2030-01-01T00:00:01.000Z');
      await setCreatedAt(t, ids[3], '2030-01-01T00:00:01.000Z');
      await setCreatedAt(t, ids[4], '2030-01-01T00:00:03.000Z');
      await setCreatedAt(t, scheduled, '2030-01-01T00:00:04.000Z');
      const tied = [ids[2], ids[3]].sort().reverse();
      const expected = [scheduled, ids[4], ids[1], ...tied, ids[0]];

      const pages = await walk<{ campaign_id: string }>('/campaign?limit=2');
      expect(pages.map((p) => p.data.length)).toEqual([2, 2, 2]);
      expect(pages[2].next_cursor).toBeNull();
      expect(pages.flatMap((p) => p.data.map((c) => c.campaign_id))).toEqual(
        expected,
      );
      const onePerPage = await walk<{ campaign_id: string }>(
        '/campaign?limit=1',
      );
      expect(
        onePerPage.flatMap((p) => p.data.map((c) => c.campaign_id)),
      ).toEqual(expected);

      const list = (await get('/campaign').expect(200)).body as Page;
      expect(list.next_cursor).toBeNull();
      expect(list.data.map((c) => c.campaign_id)).toEqual(expected);
      expect(list.data.map((c) => Object.keys(c).sort())).toEqual(
        expected.map(() => CAMPAIGN_KEYS),
      );
      expect(list.data[0]).toEqual({
        campaign_id: scheduled,
        status: 'scheduled',
        playbook_id: t.playbookId,
        launch_at: launch.toISOString(),
        recall: [],
        timezone: null,
        calling_window: null,
        created_at: '2030-01-01T00:00:04.000Z',
        started_at: null,
        completed_at: null,
        calls: { total: 1 },
      });
      expect(list.data[1]).toMatchObject({
        campaign_id: ids[4],
        status: 'running',
        recall: [30, 120],
        started_at: expect.stringMatching(ISO),
        calls: { total: 2 },
      });
      // Every item matches GET /campaign/:id (minus by_status).
      for (const item of list.data) {
        const details = (
          await get(`/campaign/${String(item.campaign_id)}`).expect(200)
        ).body as Record<string, unknown> & { calls: { total: number } };
        expect(item).toEqual({
          ...details,
          calls: { total: details.calls.total },
        });
      }

      expect(
        ((await get('/campaign?status=scheduled').expect(200)).body as Page)
          .data,
      ).toEqual([list.data[0]]);
      expect(
        ((await get('/campaign?status=completed').expect(200)).body as Page)
          .data,
      ).toEqual([]);
      const running = await walk<{ campaign_id: string }>(
        '/campaign?status=running&limit=2',
      );
      expect(running.flatMap((p) => p.data.map((c) => c.campaign_id))).toEqual(
        expected.slice(1),
      );

      const theirs = (await get('/campaign', other.token).expect(200))
        .body as Page;
      expect(theirs.data.map((c) => c.campaign_id)).toEqual([otherCampaign]);
      const stranger = await t.app.get(ApiTokenService).issue('acct-none');
      expect((await get('/campaign', stranger.token).expect(200)).body).toEqual(
        { data: [], next_cursor: null },
      );
      await get('/campaign', null).expect(401);
      await get('/campaign?limit=1', 'wrong-token-wrong-token').expect(401);
    });

    it('keeps the full stored precision of created_at in its cursor', async () => {
      await start();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await createCampaign());
      // PostgreSQL and MariaDB/MySQL store microseconds; SQLite's text has milliseconds.
      const at =
        dialect === 'sqlite'
          ? ['.126', '.125', '.125', '.124']
          : ['.123456', '.123400', '.123400', '.123000'];
      for (let i = 0; i < 4; i++) {
        await setCreatedAt(t, ids[i], `2030-01-01T00:00:00${at[i]}Z`);
      }
      const tied = [ids[1], ids[2]].sort().reverse();
      const pages = await walk<{ campaign_id: string }>('/campaign?limit=1');
      expect(pages.flatMap((p) => p.data.map((c) => c.campaign_id))).toEqual([
        ids[0],
        ...tied,
        ids[3],
      ]);
    });

    it('rejects a bad limit, cursor, status or an unknown parameter with a 400 naming it', async () => {
      await start();
      await createCampaign();
      for (const limit of ['0', '201', '2.5', 'x', '']) {
        await expectBadRequest(`/campaign?limit=${limit}`, 'limit');
      }
      for (const cursor of [
        'zzz',
        cursorOf(['call', UNKNOWN_ID]),
        cursorOf(['campaign', '2030-02-30 00:00:00.000', UNKNOWN_ID]),
        cursorOf(['campaign', '2030-01-01 24:00:00.000', UNKNOWN_ID]),
        cursorOf(['campaign', 'yesterday', UNKNOWN_ID]),
        cursorOf(['campaign', '2030-01-01 00:00:00.000', 'not-a-uuid']),
      ]) {
        await expectBadRequest(
          `/campaign?cursor=${encodeURIComponent(cursor)}`,
          'cursor',
        );
      }
      const status = await expectBadRequest(
        '/campaign?status=queued',
        'status',
      );
      expect(status.errors[0].message).toContain('scheduled');
      await expectBadRequest('/campaign?offset=10', 'offset');
      // Direct callers of the service get the same 400.
      await expect(
        t.app
          .get(CampaignListService)
          .listCampaigns({ id: t.accountId }, { limit: 0, cursor: 'x' }),
      ).rejects.toMatchObject({
        status: 400,
        response: {
          errors: [
            { field: 'limit', message: 'must be an integer from 1 to 200' },
            { field: 'cursor', message: 'is not a valid cursor' },
          ],
        },
      });
    });
  });

  describe('one pagination parser for every list', () => {
    const LIMIT_PROBLEM = {
      field: 'limit',
      message: 'must be an integer from 1 to 200',
    };
    /** Query string → the problems every list answers it with (400). */
    const REJECTED: [string, { field: string; message: string }[]][] = [
      ['limit=1e2', [LIMIT_PROBLEM]],
      ['limit=0x10', [LIMIT_PROBLEM]],
      [`limit=${encodeURIComponent(' 5')}`, [LIMIT_PROBLEM]],
      [`limit=${encodeURIComponent('5 ')}`, [LIMIT_PROBLEM]],
      ['limit=0', [LIMIT_PROBLEM]],
      ['limit=201', [LIMIT_PROBLEM]],
      ['limit=1.0', [LIMIT_PROBLEM]],
      ['limit=-1', [LIMIT_PROBLEM]],
      ['limit=%2B5', [LIMIT_PROBLEM]],
      ['limit=abc', [LIMIT_PROBLEM]],
      ['limit=', [LIMIT_PROBLEM]],
      ['limit=9999999999', [LIMIT_PROBLEM]],
      ['limit=1&limit=2', [LIMIT_PROBLEM]],
      ['foo=1', [{ field: 'foo', message: 'is not a known field' }]],
      ['limit=5&foo=1', [{ field: 'foo', message: 'is not a known field' }]],
      ['cursor=x', [{ field: 'cursor', message: 'is not a valid cursor' }]],
      [
        'foo=1&limit=0',
        [{ field: 'foo', message: 'is not a known field' }, LIMIT_PROBLEM],
      ],
    ];
    const ACCEPTED: [string, number][] = [
      ['limit=1', 1],
      ['limit=2', 2],
      ['limit=007', 7],
      ['limit=200', 200],
      ['', LIST_PAGE_LIMIT.default],
    ];

    /** The three list routes, each with more items than the default page. */
    const seed = async (platform: TestPlatform) => {
      // The lists need no loop: a plain app, on each HTTP platform (their
      // query-string parsers differ).
      t = (await createTestApp(dialect, { platform })) as LoopTestApp;
      const contacts = Array.from(
        { length: LIST_PAGE_LIMIT.default + 1 },
        (_, i) => ({ phone: phone(i + 1) }),
      );
      const id = await createCampaign({ contacts });
      for (let i = 0; i < LIST_PAGE_LIMIT.default; i++) await createCampaign();
      const dnc = t.app.get(DoNotCallService);
      for (let i = 0; i <= LIST_PAGE_LIMIT.default; i++) {
        await dnc.add(t.accountId, phone(i + 1));
      }
      return {
        campaigns: '/campaign',
        calls: `/campaign/${id}/calls`,
        'do-not-call': '/campaign/do-not-call',
      };
    };

    it.each(TEST_PLATFORMS)(
      'answers every bad limit, cursor or unknown parameter with the same 400 on every list (%s)',
      async (platform) => {
        const routes = await seed(platform);
        for (const [query, errors] of REJECTED) {
          const bodies: Record<string, unknown> = {};
          for (const [name, path] of Object.entries(routes)) {
            const res = await get(`${path}?${query}`);
            bodies[name] = { status: res.status, body: res.body as unknown };
          }
          const expected = {
            status: 400,
            body: {
              statusCode: 400,
              error: 'Bad Request',
              message: errors.map((e) => `${e.field}: ${e.message}`),
              errors,
            },
          };
          expect({ query, bodies }).toEqual({
            query,
            bodies: {
              campaigns: expected,
              calls: expected,
              'do-not-call': expected,
            },
          });
        }
        // Direct callers of the services get the same 400.
        const expected = {
          status: 400,
          response: { errors: [LIMIT_PROBLEM] },
        };
        await expect(
          t.app.get(CampaignListService).listCampaigns(
            { id: t.accountId },
            {
              limit: 0,
            },
          ),
        ).rejects.toMatchObject(expected);
        await expect(
          t.app.get(DoNotCallService).list(t.accountId, 0),
        ).rejects.toMatchObject(expected);
        await expect(
          t.app.get(DoNotCallService).list(t.accountId, 10, 'x'),
        ).rejects.toMatchObject({
          status: 400,
          response: {
            errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
          },
        });
        // Validation comes after authentication, on every list.
        for (const path of Object.values(routes)) {
          await get(`${path}?limit=0`, null).expect(401);
        }
      },
    );

    it.each(TEST_PLATFORMS)(
      'takes the same limits on every list, with the same default (%s)',
      async (platform) => {
        const routes = await seed(platform);
        for (const [query, size] of ACCEPTED) {
          for (const [name, path] of Object.entries(routes)) {
            const res = await get(query ? `${path}?${query}` : path);
            const page = res.body as Page;
            expect({ name, query, status: res.status }).toEqual({
              name,
              query,
              status: 200,
            });
            // Every list holds default + 1 items.
            const length = Math.min(size, LIST_PAGE_LIMIT.default + 1);
            expect({ name, query, length: page.data.length }).toEqual({
              name,
              query,
              length,
            });
            expect(page.next_cursor === null).toBe(
              length === LIST_PAGE_LIMIT.default + 1,
            );
          }
        }
        // The do-not-call cursor still walks the list.
        const pages = await walk<{ phone: string }>(
          `${routes['do-not-call']}?limit=20`,
        );
        expect(pages.map((p) => p.data.length)).toEqual([20, 20, 11]);
      },
    );
  });

  it('documents the three list routes with their query parameters', async () => {
    await start();
    const document = SwaggerModule.createDocument(
      t.app,
      new DocumentBuilder().build(),
    );
    const list = document.paths['/campaign']?.get;
    const calls = document.paths['/campaign/{id}/calls']?.get;
    for (const operation of [list, calls]) {
      expect(operation?.tags).toEqual(['campaigns']);
      expect(operation?.security).toEqual([{ bearer: [] }]);
      const names = (operation?.parameters ?? []).map((p) =>
        'name' in p ? `${p.in}:${p.name}` : '',
      );
      expect(names.filter((n) => n.startsWith('query:')).sort()).toEqual([
        // The campaigns list also takes `counts` (calls by status).
        ...(operation === list ? ['query:counts'] : []),
        'query:cursor',
        'query:limit',
        'query:status',
      ]);
      expect(Object.keys(operation?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '400', '401']),
      );
    }
    expect(Object.keys(calls?.responses ?? {})).toContain('404');

    // The do-not-call list documents the same limit, and a typed page.
    const dnc = document.paths['/campaign/do-not-call']?.get;
    const queryOf = (operation: typeof dnc, name: string) =>
      (operation?.parameters ?? []).find(
        (p) => 'name' in p && p.in === 'query' && p.name === name,
      );
    expect(
      (dnc?.parameters ?? [])
        .map((p) => ('name' in p ? `${p.in}:${p.name}` : ''))
        .filter((n) => n.startsWith('query:'))
        .sort(),
    ).toEqual(['query:cursor', 'query:limit']);
    const limit = queryOf(dnc, 'limit');
    expect(limit).toMatchObject({
      required: false,
      schema: {
        type: 'integer',
        minimum: LIST_PAGE_LIMIT.min,
        maximum: LIST_PAGE_LIMIT.max,
        default: LIST_PAGE_LIMIT.default,
      },
    });
    expect(queryOf(list, 'limit')).toEqual(limit);
    expect(queryOf(calls, 'limit')).toEqual(limit);
    expect(Object.keys(dnc?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401']),
    );
    const ok = dnc?.responses?.['200'] as {
      content?: Record<string, { schema?: { $ref?: string } }>;
    };
    expect(ok?.content?.['application/json']?.schema?.$ref).toBe(
      '#/components/schemas/DoNotCallPageDto',
    );
    expect(
      Object.keys(
        (
          document.components?.schemas?.DoNotCallEntryDto as {
            properties?: object;
          }
        )?.properties ?? {},
      ),
    ).toEqual(['phone', 'reason', 'created_at']);
  });
});

/** Sets a campaign's stored created_at (text with microseconds on PostgreSQL). */
async function setCreatedAt(t: LoopTestApp, id: string, iso: string) {
  const postgres = t.dataSource.options.type === 'postgres';
  await t.dataSource.query(
    postgres
      ? 'UPDATE campaigns SET created_at = $1::timestamptz WHERE id = $2'
      : 'UPDATE campaigns SET created_at = ? WHERE id = ?',
    [postgres ? iso : iso.replace('T', ' ').replace('Z', ''), id],
  );
}

/**
 * The campaign's `timezone` and `calling_window` (extensions to the seed):
 * stored on the campaign, shown by `GET /campaign/:id` and the list, part of
 * the `Idempotency-Key` request; the 202 body stays the seed's.
 */
import { createHash } from 'node:crypto';
import type request from 'supertest';
import { CampaignCreationService } from '../../lib';
import {
  canonicalJson,
  hashCampaignRequest,
} from '../../lib/idempotency/canonical-request-hash';
import type { NewCampaign } from '../../lib/campaigns/new-campaign.interface';
import { TEST_DIALECTS } from '../support/test-database';
import {
  countWritten,
  createTestApp,
  httpMatrix,
  type TestApp,
} from '../support/test-app';

const SEED_CREATED_KEYS = [
  'calls',
  'campaign_id',
  'contacts',
  'duplicates',
  'launch_at',
  'recall',
  'status',
];

const WINDOW = { start: '10:00', end: '18:30', days: [5, 1, 3] };
const STORED_WINDOW = { start: '10:00', end: '18:30', days: [1, 3, 5] };

interface CampaignRow {
  id: string;
  timezone: string | null;
  calling_window: unknown;
}

const json = (value: unknown): unknown =>
  typeof value === 'string' ? JSON.parse(value) : value;

describe.each(httpMatrix(TEST_DIALECTS))(
  'campaign timezone and calling_window (%s, %s)',
  (dialect, platform) => {
    let t: TestApp;
    let sequence = 0;
    const ph = (index: number) => (dialect === 'postgres' ? `$${index}` : '?');
    const newKey = (label: string) => `${label}-${dialect}-${++sequence}`;

    beforeAll(async () => {
      t = await createTestApp(dialect, { platform });
    });
    afterAll(() => t.close());

    const body = (extra: Record<string, unknown> = {}) => ({
      playbook_id: t.playbookId,
      contacts: [{ phone: '+34612345678' }, { phone: '+14155552671' }],
      recall: [30],
      ...extra,
    });
    const get = (path: string): request.Test =>
      t.http().get(path).set('Authorization', `Bearer ${t.token}`);
    const stored = async (id: string): Promise<CampaignRow> => {
      const [row] = (await t.dataSource.query(
        `SELECT id, timezone, calling_window FROM campaigns WHERE id = ${ph(1)}`,
        [id],
      )) as CampaignRow[];
      return row;
    };
    const listed = async (id: string): Promise<Record<string, unknown>> => {
      const page = (await get('/campaign?limit=200').expect(200)).body as {
        data: Record<string, unknown>[];
      };
      const item = page.data.find((c) => c.campaign_id === id);
      if (!item) throw new Error(`campaign ${id} not in the list`);
      return item;
    };

    it('stores both, shows them in GET /campaign/:id and the list; the 202 body stays the seed one', async () => {
      const res = await t
        .post(body({ timezone: 'europe/madrid', calling_window: WINDOW }))
        .expect(202);
      expect(Object.keys(res.body).sort()).toEqual(SEED_CREATED_KEYS);
      const id = res.body.campaign_id as string;

      const row = await stored(id);
      expect(row.timezone).toBe('Europe/Madrid');
      expect(json(row.calling_window)).toEqual(STORED_WINDOW);

      const details = (await get(`/campaign/${id}`).expect(200)).body;
      expect(details).toMatchObject({
        campaign_id: id,
        timezone: 'Europe/Madrid',
        calling_window: STORED_WINDOW,
        recall: [30],
      });
      expect(await listed(id)).toMatchObject({
        timezone: 'Europe/Madrid',
        calling_window: STORED_WINDOW,
      });
    });

    it('a window may end at 24:00 and cover every day', async () => {
      const everyDay = {
        start: '00:00',
        end: '24:00',
        days: [7, 6, 5, 4, 3, 2, 1],
      };
      const res = await t.post(body({ calling_window: everyDay })).expect(202);
      const details = (
        await get(`/campaign/${res.body.campaign_id}`).expect(200)
      ).body;
      expect(details.calling_window).toEqual({
        start: '00:00',
        end: '24:00',
        days: [1, 2, 3, 4, 5, 6, 7],
      });
      expect(details.timezone).toBeNull();
    });

    it.each<[string, Record<string, unknown>]>([
      ['absent', {}],
      ['null', { timezone: null, calling_window: null }],
      ['a blank timezone', { timezone: '   ' }],
    ])('%s: null in the row, GET and the list', async (_label, extra) => {
      const res = await t.post(body(extra)).expect(202);
      expect(Object.keys(res.body).sort()).toEqual(SEED_CREATED_KEYS);
      const id = res.body.campaign_id as string;
      const row = await stored(id);
      expect(row.timezone).toBeNull();
      expect(row.calling_window).toBeNull();
      const details = (await get(`/campaign/${id}`).expect(200)).body;
      expect(details).toMatchObject({ timezone: null, calling_window: null });
      expect(Object.keys(details)).toEqual(
        expect.arrayContaining(['timezone', 'calling_window']),
      );
      expect(await listed(id)).toMatchObject({
        timezone: null,
        calling_window: null,
      });
    });

    it('one timezone alone and one window alone', async () => {
      const zoneOnly = await t
        .post(body({ timezone: 'America/New_York' }))
        .expect(202);
      expect(
        (await get(`/campaign/${zoneOnly.body.campaign_id}`).expect(200)).body,
      ).toMatchObject({ timezone: 'America/New_York', calling_window: null });
      const windowOnly = await t
        .post(body({ calling_window: WINDOW }))
        .expect(202);
      expect(
        (await get(`/campaign/${windowOnly.body.campaign_id}`).expect(200))
          .body,
      ).toMatchObject({ timezone: null, calling_window: STORED_WINDOW });
    });

    describe('Idempotency-Key', () => {
      const post = (key: string, payload: unknown): request.Test =>
        t.post(payload).set('Idempotency-Key', key);

      it('the same request again (days in another order, the zone in another case) is a replay', async () => {
        const key = newKey('window-replay');
        const first = await post(
          key,
          body({ timezone: 'Europe/Madrid', calling_window: WINDOW }),
        ).expect(202);
        const written = await countWritten(t);
        const again = await post(
          key,
          body({
            timezone: 'EUROPE/MADRID',
            calling_window: { days: [3, 5, 1], end: '18:30', start: '10:00' },
          }),
        ).expect(202);
        expect(again.text).toBe(first.text);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(await countWritten(t)).toEqual(written);
      });

      it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
        [
          'another window',
          { calling_window: WINDOW },
          { calling_window: { ...WINDOW, end: '19:00' } },
        ],
        [
          'other days',
          { calling_window: WINDOW },
          { calling_window: { ...WINDOW, days: [1, 3] } },
        ],
        ['a window added', {}, { calling_window: WINDOW }],
        ['the window dropped', { calling_window: WINDOW }, {}],
        [
          'another timezone',
          { timezone: 'Europe/Madrid' },
          { timezone: 'Europe/Lisbon' },
        ],
        ['a timezone added', {}, { timezone: 'Europe/Madrid' }],
      ])('with %s: 409, nothing written', async (_label, first, second) => {
        const key = newKey('window-conflict');
        await post(key, body(first)).expect(202);
        const written = await countWritten(t);
        const res = await post(key, body(second)).expect(409);
        expect(res.body.errors).toEqual([
          { field: 'Idempotency-Key', message: expect.any(String) },
        ]);
        expect(await countWritten(t)).toEqual(written);
      });
    });

    it('a direct caller of CampaignCreationService gets the same checks (400) and normalized values', async () => {
      const service = t.app.get(CampaignCreationService);
      const request = (extra: Partial<NewCampaign>): NewCampaign => ({
        playbookId: t.playbookId,
        contacts: [{ phone: '+34612345678', fields: {} }],
        launchAt: null,
        recall: [],
        ...extra,
      });
      const before = await countWritten(t);
      await expect(
        service.create(
          { id: t.accountId },
          request({
            callingWindow: { start: '20:00', end: '09:00', days: [1, 1] },
          }),
        ),
      ).rejects.toMatchObject({
        status: 400,
        response: {
          errors: [
            { field: 'calling_window.start', message: expect.any(String) },
            { field: 'calling_window.days.1', message: expect.any(String) },
          ],
        },
      });
      await expect(
        service.create(
          { id: t.accountId },
          request({ timezone: 'Mars/Phobos' }),
        ),
      ).rejects.toMatchObject({
        status: 400,
        response: {
          errors: [{ field: 'timezone', message: expect.any(String) }],
        },
      });
      expect(await countWritten(t)).toEqual(before);

      const created = await service.create(
        { id: t.accountId },
        request({
          timezone: 'etc/utc',
          callingWindow: { start: '09:00', end: '17:00', days: [2, 1] },
        }),
      );
      const row = await stored(created.campaign_id);
      expect(row.timezone).toBe('UTC');
      expect(json(row.calling_window)).toEqual({
        start: '09:00',
        end: '17:00',
        days: [1, 2],
      });
    });
  },
);

describe('hashCampaignRequest with the extensions', () => {
  const seed: NewCampaign = {
    playbookId: '9f6c1d2e-4b7a-4c21-9e0f-3a5b8c7d6e1f',
    contacts: [{ phone: '+34612345678', fields: { first_name: 'Ana' } }],
    launchAt: null,
    recall: [30, 120],
  };

  it('without them, hashes as before they existed (keys stored by an earlier version still replay)', () => {
    const before = createHash('sha256')
      .update(canonicalJson(seed))
      .digest('hex');
    expect(hashCampaignRequest(seed)).toBe(before);
    expect(
      hashCampaignRequest({ ...seed, timezone: null, callingWindow: null }),
    ).toBe(before);
  });

  it('with them, hashes differently for each value', () => {
    const window = { start: '09:00', end: '18:00', days: [1, 2, 3] };
    const hashes = new Set([
      hashCampaignRequest(seed),
      hashCampaignRequest({ ...seed, timezone: 'Europe/Madrid' }),
      hashCampaignRequest({ ...seed, timezone: 'Europe/Lisbon' }),
      hashCampaignRequest({ ...seed, callingWindow: window }),
      hashCampaignRequest({
        ...seed,
        callingWindow: { ...window, end: '18:01' },
      }),
    ]);
    expect(hashes.size).toBe(5);
  });
});

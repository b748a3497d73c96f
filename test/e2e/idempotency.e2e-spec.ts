import type request from 'supertest';
import {
  ApiTokenService,
  IdempotencyKeyService,
  PlaybookService,
} from '../../lib';
import { TEST_DIALECTS, type TestDialect } from '../support/test-database';
import {
  countWritten,
  createTestApp,
  type TestApp,
  httpMatrix,
} from '../support/test-app';

const HOUR = 60 * 60 * 1000;

interface KeyRow {
  account_id: string;
  idempotency_key: string;
  request_hash: string;
  response_status: number;
  response_body: unknown;
}

const json = <T>(value: unknown): T =>
  (typeof value === 'string' ? JSON.parse(value) : value) as T;

/** A date as each database stores it (SQLite: UTC text). */
const stored = (dialect: TestDialect, date: Date): Date | string =>
  dialect === 'postgres'
    ? date
    : date.toISOString().replace('T', ' ').replace('Z', '');

describe.each(httpMatrix(TEST_DIALECTS))(
  'POST /campaign with Idempotency-Key (%s, %s)',
  (dialect, platform) => {
    let t: TestApp;
    let other: { token: string; playbookId: string };
    let sequence = 0;
    const ph = (index: number) => (dialect === 'postgres' ? `$${index}` : '?');
    /** A fresh key per use, so that tests do not see each other's keys. */
    const newKey = (label: string) => `${label}-${dialect}-${++sequence}`;

    beforeAll(async () => {
      t = await createTestApp(dialect, { platform });
      const { token } = await t.app
        .get(ApiTokenService)
        .issue('acct-other', { name: 'other' });
      const playbook = await t.app
        .get(PlaybookService)
        .register({ accountId: 'acct-other', name: 'Other playbook' });
      other = { token, playbookId: playbook.id };
    });
    afterAll(() => t.close());

    const body = (phone = '+34612345678') => ({
      playbook_id: t.playbookId,
      contacts: [{ phone, first_name: 'Ana' }, { phone: '+34687654321' }],
      recall: [30, 120],
    });
    const post = (key: string, payload: unknown = body()): request.Test =>
      t.post(payload).set('Idempotency-Key', key);
    const postAsOther = (key: string, payload: unknown): request.Test =>
      t
        .http()
        .post('/campaign')
        .set('Authorization', `Bearer ${other.token}`)
        .set('Idempotency-Key', key)
        .send(payload as object);

    const keyRows = async (key: string): Promise<KeyRow[]> =>
      t.dataSource.query(
        `SELECT * FROM campaign_idempotency_keys WHERE idempotency_key = ${ph(1)}`,
        [key],
      );
    const ageKey = async (key: string, ageMs: number): Promise<void> => {
      await t.dataSource.query(
        `UPDATE campaign_idempotency_keys SET created_at = ${ph(1)} WHERE idempotency_key = ${ph(2)}`,
        [stored(dialect, new Date(Date.now() - ageMs)), key],
      );
    };
    const campaignExists = async (id: string): Promise<boolean> => {
      const rows = (await t.dataSource.query(
        `SELECT id FROM campaigns WHERE id = ${ph(1)}`,
        [id],
      )) as unknown[];
      return rows.length === 1;
    };

    it('a repeat answers the first response (status, body, Location) and writes nothing', async () => {
      const key = newKey('replay');
      const first = await post(key).expect(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const written = await countWritten(t);

      const again = await post(key).expect(202);
      expect(again.text).toBe(first.text);
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.headers.location).toBe(
        `/campaign/${first.body.campaign_id}`,
      );
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await countWritten(t)).toEqual(written);

      const [row] = await keyRows(key);
      expect(row).toMatchObject({
        account_id: t.accountId,
        request_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(Number(row.response_status)).toBe(202);
      expect(json(row.response_body)).toEqual(first.body);
    });

    it('replays a scheduled campaign with its launch_at', async () => {
      const key = newKey('scheduled');
      const launchAt = new Date(Date.now() + 2 * HOUR).toISOString();
      const payload = { ...body(), launch_at: launchAt };
      const first = await post(key, payload).expect(202);
      expect(first.body).toMatchObject({
        status: 'scheduled',
        launch_at: launchAt,
      });
      const written = await countWritten(t);
      const again = await post(key, payload).expect(202);
      expect(again.text).toBe(first.text);
      expect(await countWritten(t)).toEqual(written);
    });

    it('the same request written differently is a replay (the validated request is hashed)', async () => {
      const key = newKey('normalized');
      const launch = new Date(Date.now() + 3 * HOUR);
      launch.setUTCSeconds(0, 0);
      const first = await post(key, {
        playbook_id: t.playbookId,
        contacts: [{ phone: '+34612345678', first_name: 'Ana' }],
        launch_at: launch.toISOString(),
        recall: [30, 120],
      }).expect(202);
      const written = await countWritten(t);
      // Other key order, a national number with its country, the same instant
      // with an offset, recall as a JSON string, untrimmed text.
      const plusTwo = new Date(launch.getTime() + 2 * HOUR)
        .toISOString()
        .replace('.000Z', '+02:00');
      const again = await post(key, {
        recall: '[30,120]',
        launch_at: plusTwo,
        contacts: [
          { first_name: ' Ana ', phone: '612 34 56 78', country: 'ES' },
        ],
        playbook_id: t.playbookId,
      });
      // `country` is stored on the contact, so this one is a different request.
      expect(again.status).toBe(409);
      const same = await post(key, {
        recall: '[30,120]',
        launch_at: plusTwo,
        contacts: [{ first_name: ' Ana ', phone: '+34 612 34 56 78' }],
        playbook_id: t.playbookId,
      }).expect(202);
      expect(same.text).toBe(first.text);
      expect(await countWritten(t)).toEqual(written);
    });

    it('the same key with a different body is a 409 naming Idempotency-Key; nothing written', async () => {
      const key = newKey('conflict');
      const first = await post(key).expect(202);
      const written = await countWritten(t);
      const res = await post(key, body('+34600000001')).expect(409);
      expect(res.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: [expect.stringMatching(/^Idempotency-Key: /)],
        errors: [
          {
            field: 'Idempotency-Key',
            message: expect.stringContaining('different request'),
          },
        ],
      });
      expect(res.headers.location).toBeUndefined();
      expect(await countWritten(t)).toEqual(written);
      // The key still answers the first request.
      const again = await post(key).expect(202);
      expect(again.text).toBe(first.text);
    });

    it('keys are per account: another account with the same key gets its own campaign', async () => {
      const key = newKey('shared');
      const mine = await post(key).expect(202);
      const campaignsBefore = await t.count('campaigns');
      const theirs = await postAsOther(key, {
        ...body(),
        playbook_id: other.playbookId,
      }).expect(202);
      expect(theirs.body.campaign_id).not.toBe(mine.body.campaign_id);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
      expect(await t.count('campaigns')).toBe(campaignsBefore + 1);
      const rows = await keyRows(key);
      expect(rows.map((r) => r.account_id).sort()).toEqual(
        ['acct-other', t.accountId].sort(),
      );
      // And each account replays its own.
      const mineAgain = await post(key).expect(202);
      expect(mineAgain.body.campaign_id).toBe(mine.body.campaign_id);
    });

    it('a key 23 h old still replays; older than 24 h it is new again and is replaced', async () => {
      const key = newKey('aged');
      const first = await post(key).expect(202);
      await ageKey(key, 23 * HOUR);
      const recent = await post(key).expect(202);
      expect(recent.body.campaign_id).toBe(first.body.campaign_id);

      await ageKey(key, 25 * HOUR);
      const campaignsBefore = await t.count('campaigns');
      // Even with another body: an expired key is free.
      const fresh = await post(key, body('+34600000002')).expect(202);
      expect(fresh.body.campaign_id).not.toBe(first.body.campaign_id);
      expect(fresh.headers['idempotent-replayed']).toBeUndefined();
      expect(await t.count('campaigns')).toBe(campaignsBefore + 1);
      const rows = await keyRows(key);
      expect(rows).toHaveLength(1);
      expect(json(rows[0].response_body)).toEqual(fresh.body);
      // The replacement is the one replayed now.
      const again = await post(key, body('+34600000002')).expect(202);
      expect(again.text).toBe(fresh.text);
      await post(key).expect(409);
    });

    it.each([
      ['empty', ''],
      ['256 characters', 'k'.repeat(256)],
      ['non-ASCII', 'clé-1'],
      ['a control character', 'a\tb'],
    ])(
      '400 naming Idempotency-Key for a key that is %s; nothing written',
      async (_, value) => {
        const written = await countWritten(t);
        const res = await post(value).expect(400);
        expect(res.body).toMatchObject({
          statusCode: 400,
          message: [
            'Idempotency-Key: must be 1 to 255 printable ASCII characters',
          ],
          errors: [{ field: 'Idempotency-Key' }],
        });
        expect(await countWritten(t)).toEqual(written);
      },
    );

    it('400 when the header is sent twice', async () => {
      const res = await t
        .post(body())
        // An array value: Node sends the header twice.
        .set({ 'Idempotency-Key': ['one', 'two'] })
        .expect(400);
      expect(res.body.message).toEqual([
        'Idempotency-Key: must be sent only once',
      ]);
    });

    it('accepts 255 printable characters, spaces and punctuation included', async () => {
      const key = `${newKey('long')} ~!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}`.padEnd(
        255,
        'x',
      );
      const first = await post(key).expect(202);
      const again = await post(key).expect(202);
      expect(again.body.campaign_id).toBe(first.body.campaign_id);
    });

    it('auth (401) and validation (400) come first, and a 400 does not store the key', async () => {
      const key = newKey('checked-first');
      await t
        .http()
        .post('/campaign')
        .set('Idempotency-Key', 'k'.repeat(300))
        .send(body())
        .expect(401);
      const invalid = await post(key, { ...body(), contacts: [] }).expect(400);
      expect(invalid.body.message).toEqual([
        'contacts: must contain at least 1 contact',
      ]);
      expect(await keyRows(key)).toEqual([]);
      const res = await post(key).expect(202);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
    });

    it('a failed creation leaves no key, and the retry with the same key creates the campaign', async () => {
      const key = newKey('rollback');
      const written = await countWritten(t);
      await t.dataSource.query(
        dialect === 'postgres'
          ? `CREATE FUNCTION fail_calls_idem() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated outage'; END $$ LANGUAGE plpgsql`
          : dialect === 'mysql'
            ? `CREATE TRIGGER fail_calls_idem BEFORE INSERT ON campaign_calls FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated outage'`
            : `CREATE TRIGGER fail_calls_idem BEFORE INSERT ON campaign_calls BEGIN SELECT RAISE(ABORT, 'simulated outage'); END`,
      );
      if (dialect === 'postgres') {
        await t.dataSource.query(
          `CREATE TRIGGER fail_calls_idem BEFORE INSERT ON campaign_calls FOR EACH ROW EXECUTE FUNCTION fail_calls_idem()`,
        );
      }
      try {
        await post(key).expect(500);
        expect(await keyRows(key)).toEqual([]);
        expect(await countWritten(t)).toEqual(written);
      } finally {
        await t.dataSource.query(
          dialect === 'postgres'
            ? 'DROP TRIGGER fail_calls_idem ON campaign_calls'
            : 'DROP TRIGGER fail_calls_idem',
        );
        if (dialect === 'postgres') {
          await t.dataSource.query('DROP FUNCTION fail_calls_idem()');
        }
      }
      const retry = await post(key).expect(202);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(await campaignExists(retry.body.campaign_id)).toBe(true);
      expect(await keyRows(key)).toHaveLength(1);
      const again = await post(key).expect(202);
      expect(again.text).toBe(retry.text);
    });

    it('purgeExpired deletes keys older than 24 h only', async () => {
      const oldKey = newKey('purge-old');
      const freshKey = newKey('purge-fresh');
      await post(oldKey).expect(202);
      await post(freshKey).expect(202);
      await ageKey(oldKey, 25 * HOUR);
      const purged = await t.app.get(IdempotencyKeyService).purgeExpired();
      expect(purged).toBeGreaterThanOrEqual(1);
      expect(await keyRows(oldKey)).toEqual([]);
      expect(await keyRows(freshKey)).toHaveLength(1);
    });

    if (dialect === 'postgres') {
      /** Runs `fn` while each INSERT into campaign_calls takes `seconds` more. */
      const withSlowCalls = async <T>(
        seconds: number,
        fn: () => Promise<T>,
      ): Promise<T> => {
        await t.dataSource.query(
          `CREATE FUNCTION slow_calls_idem() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(${seconds}); RETURN NULL; END $$ LANGUAGE plpgsql`,
        );
        await t.dataSource.query(
          `CREATE TRIGGER slow_calls_idem BEFORE INSERT ON campaign_calls FOR EACH STATEMENT EXECUTE FUNCTION slow_calls_idem()`,
        );
        try {
          return await fn();
        } finally {
          await t.dataSource.query(
            'DROP TRIGGER slow_calls_idem ON campaign_calls',
          );
          await t.dataSource.query('DROP FUNCTION slow_calls_idem()');
        }
      };

      it('10 concurrent requests with one key create one campaign; all answer it', async () => {
        const key = newKey('parallel');
        const contacts = Array.from({ length: 300 }, (_, i) => ({
          phone: `+3461${String(1_000_000 + i).padStart(7, '0')}`,
        }));
        const payload = { playbook_id: t.playbookId, contacts };
        const campaignsBefore = await t.count('campaigns');
        // The first transaction holds the key for at least 0.5 s: the others
        // arrive meanwhile and wait on its uncommitted key row.
        const responses = await withSlowCalls(0.5, () =>
          Promise.all(Array.from({ length: 10 }, () => post(key, payload))),
        );
        expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
        const ids = new Set(responses.map((r) => r.body.campaign_id));
        expect(ids.size).toBe(1);
        expect(new Set(responses.map((r) => r.text)).size).toBe(1);
        expect(new Set(responses.map((r) => r.headers.location)).size).toBe(1);
        expect(
          responses.filter((r) => r.headers['idempotent-replayed'] === 'true'),
        ).toHaveLength(9);
        expect(await t.count('campaigns')).toBe(campaignsBefore + 1);
        const [id] = ids;
        const [calls] = (await t.dataSource.query(
          'SELECT COUNT(*) AS n FROM campaign_calls WHERE campaign_id = $1',
          [id],
        )) as { n: string }[];
        expect(Number(calls.n)).toBe(300);
        expect(await keyRows(key)).toHaveLength(1);
      });

      it('concurrent requests with one key and different bodies: one 202, the others 409', async () => {
        const key = newKey('parallel-conflict');
        const campaignsBefore = await t.count('campaigns');
        const responses = await withSlowCalls(0.3, () =>
          Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              post(key, body(`+3460000010${i}`)),
            ),
          ),
        );
        const statuses = responses.map((r) => r.status).sort();
        expect(statuses).toEqual([202, 409, 409, 409, 409, 409]);
        expect(await t.count('campaigns')).toBe(campaignsBefore + 1);
      });

      it('a request waiting on a key whose creation fails creates the campaign itself', async () => {
        const key = newKey('waiter');
        const campaignsBefore = await t.count('campaigns');
        // The first INSERT of calls fails after 0.5 s; later ones pass.
        await t.dataSource.query('CREATE SEQUENCE fail_once_idem');
        await t.dataSource.query(
          `CREATE FUNCTION fail_once_idem() RETURNS trigger AS $$ BEGIN
            IF nextval('fail_once_idem') = 1 THEN
              PERFORM pg_sleep(0.5);
              RAISE EXCEPTION 'simulated outage';
            END IF;
            RETURN NULL;
          END $$ LANGUAGE plpgsql`,
        );
        await t.dataSource.query(
          `CREATE TRIGGER fail_once_idem BEFORE INSERT ON campaign_calls FOR EACH STATEMENT EXECUTE FUNCTION fail_once_idem()`,
        );
        try {
          const first = post(key).then((r) => r);
          await new Promise((resolve) => setTimeout(resolve, 150));
          const second = post(key).then((r) => r);
          const [a, b] = await Promise.all([first, second]);
          expect(a.status).toBe(500);
          expect(b.status).toBe(202);
          expect(b.headers['idempotent-replayed']).toBeUndefined();
          expect(await campaignExists(b.body.campaign_id)).toBe(true);
          expect(await t.count('campaigns')).toBe(campaignsBefore + 1);
          const rows = await keyRows(key);
          expect(rows).toHaveLength(1);
          expect(json(rows[0].response_body)).toEqual(b.body);
        } finally {
          await t.dataSource.query(
            'DROP TRIGGER fail_once_idem ON campaign_calls',
          );
          await t.dataSource.query('DROP FUNCTION fail_once_idem()');
          await t.dataSource.query('DROP SEQUENCE fail_once_idem');
        }
      });
    }
  },
);

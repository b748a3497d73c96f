import { ApiTokenService, PlaybookService } from '../../lib';
import { TEST_DIALECTS } from '../support/test-database';
import {
  countWritten,
  createTestApp,
  type TestApp,
  httpMatrix,
} from '../support/test-app';

describe.each(httpMatrix(TEST_DIALECTS))(
  'POST /campaign, error rows of the seed (%s, %s)',
  (dialect, platform) => {
    let t: TestApp;
    let foreignPlaybookId: string;
    beforeAll(async () => {
      t = await createTestApp(dialect, { platform });
      foreignPlaybookId = (
        await t.app
          .get(PlaybookService)
          .register({ accountId: 'acct-other', name: 'Not yours' })
      ).id;
    });
    afterAll(() => t.close());

    const valid = () => ({
      playbook_id: t.playbookId,
      contacts: [{ phone: '+34612345678' }],
    });

    it('401 without a token, with WWW-Authenticate: Bearer', async () => {
      const res = await t.http().post('/campaign').send(valid()).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toMatchObject({ statusCode: 401 });
    });

    it.each([
      ['an unknown token', 'Bearer cc_unknown_token_aaaaaaaaaaaaaaaa'],
      ['a malformed header', 'Token abc'],
      ['an empty bearer', 'Bearer '],
      ['basic auth', 'Basic dXNlcjpwYXNz'],
    ])('401 with %s', async (_, header) => {
      const res = await t
        .http()
        .post('/campaign')
        .set('Authorization', header)
        .send(valid())
        .expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('401 before 400: an invalid body without a token', async () => {
      await t.http().post('/campaign').send({ contacts: [] }).expect(401);
      await t
        .http()
        .post('/campaign')
        .set('Content-Type', 'application/json')
        .send('{bad')
        .expect(401);
    });

    it('401 for a revoked token', async () => {
      const tokens = t.app.get(ApiTokenService);
      const issued = await tokens.issue(t.accountId, { name: 'short-lived' });
      await t
        .http()
        .post('/campaign')
        .set('Authorization', `Bearer ${issued.token}`)
        .send(valid())
        .expect(202);
      expect(await tokens.revoke(t.accountId, issued.id)).toBe(true);
      expect(await tokens.revoke(t.accountId, issued.id)).toBe(false);
      await t
        .http()
        .post('/campaign')
        .set('Authorization', `Bearer ${issued.token}`)
        .send(valid())
        .expect(401);
      const listed = await tokens.list(t.accountId);
      expect(listed.find((x) => x.id === issued.id)?.revokedAt).toBeInstanceOf(
        Date,
      );
      expect(JSON.stringify(listed)).not.toContain(issued.token);
    });

    it('stores tokens only as SHA-256 hashes', async () => {
      const rows = await t.rows<{ token_hash: string }>('campaign_api_tokens');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.stringify(row)).not.toContain(t.token);
      }
    });

    it('403 with one body for an unknown and a foreign playbook, nothing written', async () => {
      const before = await countWritten(t);
      const unknown = await t
        .post({
          ...valid(),
          playbook_id: '0b7c5a9e-3f1d-4c2a-9d8e-5f6a7b8c9d0e',
        })
        .expect(403);
      const foreign = await t
        .post({ ...valid(), playbook_id: foreignPlaybookId })
        .expect(403);
      expect(foreign.body).toEqual(unknown.body);
      expect(foreign.body.message).toContain('playbook_id');
      expect(await countWritten(t)).toEqual(before);
    });

    it('400 for the seed cases: missing playbook_id, empty contacts, a contact without a valid phone', async () => {
      const before = await countWritten(t);
      const missing = await t
        .post({ contacts: [{ phone: '+34612345678' }] })
        .expect(400);
      expect(missing.body.message.join()).toContain('playbook_id');
      const empty = await t
        .post({ playbook_id: t.playbookId, contacts: [] })
        .expect(400);
      expect(empty.body.message).toEqual([
        'contacts: must contain at least 1 contact',
      ]);
      const bad = await t
        .post({
          playbook_id: t.playbookId,
          contacts: [
            { phone: '+34612345678' },
            { first_name: 'x' },
            { phone: '12' },
            { phone: '+3412' },
          ],
        })
        .expect(400);
      expect(bad.body.message).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^contacts\.1\.phone: /),
          'contacts.2.phone: "12" has no country code: use E.164 (+34612345678) or give the contact an ISO 3166 alpha-2 country',
          'contacts.3.phone: "+3412" is not a valid phone number',
        ]),
      );
      expect(await countWritten(t)).toEqual(before);
    });

    it('500 with a generic body and request id when the database fails mid-transaction; nothing is kept', async () => {
      const before = await countWritten(t);
      const contactsBefore = await t.rows<{ phone: string }>(
        'campaign_contacts',
      );
      await t.dataSource.query(
        dialect === 'postgres'
          ? `CREATE FUNCTION fail_calls() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated outage'; END $$ LANGUAGE plpgsql`
          : dialect === 'mysql'
            ? `CREATE TRIGGER fail_calls BEFORE INSERT ON campaign_calls FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated outage'`
            : `CREATE TRIGGER fail_calls BEFORE INSERT ON campaign_calls BEGIN SELECT RAISE(ABORT, 'simulated outage'); END`,
      );
      if (dialect === 'postgres') {
        await t.dataSource.query(
          `CREATE TRIGGER fail_calls BEFORE INSERT ON campaign_calls FOR EACH ROW EXECUTE FUNCTION fail_calls()`,
        );
      }
      try {
        const res = await t
          .post({
            playbook_id: t.playbookId,
            contacts: [
              { phone: '+34699999999', first_name: 'New' },
              { phone: '+34612345678', first_name: 'Changed' },
            ],
          })
          .set('X-Request-Id', 'req-atomicity-1')
          .expect(500);
        expect(res.body).toEqual({
          statusCode: 500,
          error: 'Internal Server Error',
          message: 'Internal server error',
          request_id: 'req-atomicity-1',
        });
        expect(JSON.stringify(res.body)).not.toMatch(
          /simulated|INSERT|campaign_calls/,
        );
        expect(await countWritten(t)).toEqual(before);
        expect(await t.rows('campaign_contacts')).toEqual(contactsBefore);
      } finally {
        await t.dataSource.query(
          dialect === 'postgres'
            ? 'DROP TRIGGER fail_calls ON campaign_calls'
            : 'DROP TRIGGER fail_calls',
        );
      }
      const generated = await t.post({ ...valid() }).expect(202);
      expect(generated.body.calls).toBe(1);
    });

    it('a 500 without a client request id gets a generated one', async () => {
      await t.dataSource.query(
        'ALTER TABLE campaigns RENAME TO campaigns_hidden',
      );
      try {
        const res = await t.post(valid()).expect(500);
        expect(res.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.headers['x-request-id']).toBe(res.body.request_id);
      } finally {
        await t.dataSource.query(
          'ALTER TABLE campaigns_hidden RENAME TO campaigns',
        );
      }
    });
  },
);

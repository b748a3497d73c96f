/**
 * POST /campaign over HTTP, on every database and platform: what the body
 * parser answers (malformed JSON, Content-Type, size), a few smoke cases of
 * the pipe's catalogue (all of it runs once, without HTTP, in
 * test/unit/create-campaign.pipe.spec.ts), authentication first, and the
 * shape of every 4xx. Every case is a 4xx naming the field, writing nothing.
 */
import type { Response } from 'supertest';
import { TEST_DIALECTS } from '../support/test-database';
import {
  countWritten,
  createTestApp,
  type TestApp,
  httpMatrix,
} from '../support/test-app';
import {
  CASES,
  campaign,
  expectLinesToName,
  expectSeveralBadFields,
  severalBadFields,
  label,
  MAX_CONTACTS_SMALL,
  oversizedBody,
  type BadInput,
  type Ctx,
} from '../support/create-campaign-bad-inputs';

/** Pipe cases that also go over HTTP: one per kind of check. */
const SMOKE = new Set([
  'playbook_id not a UUID',
  `contacts over maxContactsPerCampaign (${MAX_CONTACTS_SMALL + 1} > ${MAX_CONTACTS_SMALL})`,
  'phone "12" (third contact, with a country)',
  'email invalid',
  'custom_fields with a "__proto__" key',
  'launch_at an impossible date (2025-02-30T10:00:00)',
  'recall not strictly increasing',
  'calling_window days with a duplicate',
  'unknown top-level field launchAt',
  '"__proto__" at top level',
  'a JSON array body',
]);
const HTTP_CASES = CASES.filter((c) => c.parser || SMOKE.has(c.name));

/** The error lines of a 4xx body (`message` is a string for some 415s). */
const messages = (res: Response): string[] => {
  const message: unknown = res.body?.message;
  return Array.isArray(message) ? (message as string[]) : [String(message)];
};

const names = (res: Response): string[] =>
  ((res.body?.errors ?? []) as { field: string }[]).map((e) => e.field);

const describeResponse = (res: Response): string =>
  `${res.status} ${JSON.stringify(res.body).slice(0, 500)}`;

describe.each(httpMatrix(TEST_DIALECTS))(
  'POST /campaign rejects bad input (%s, %s)',
  (dialect, platform) => {
    let t: TestApp;
    let small: TestApp;
    const ctx = (): Ctx => ({ pb: t.playbookId });

    beforeAll(async () => {
      [t, small] = await Promise.all([
        createTestApp(dialect, { platform }),
        createTestApp(dialect, {
          platform,
          options: { maxContactsPerCampaign: MAX_CONTACTS_SMALL },
        }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([t?.close(), small?.close()]);
    });

    const send = (app: TestApp, c: BadInput) => {
      const cx = { pb: app.playbookId };
      if (c.raw) {
        return app
          .http()
          .post('/campaign')
          .set('Authorization', `Bearer ${app.token}`)
          .set('Content-Type', c.contentType ?? 'application/json')
          .send(c.raw(cx));
      }
      return app.post(c.body!(cx));
    };

    it(`sends every parser case and ${SMOKE.size} smoke cases (${HTTP_CASES.length})`, () => {
      expect(HTTP_CASES.length).toBe(
        CASES.filter((c) => c.parser).length + SMOKE.size,
      );
    });

    it.each(HTTP_CASES.map((c) => [label(c), c] as const))(
      '%s',
      async (_, c) => {
        const app = c.app === 'small' ? small : t;
        const before = await countWritten(app);
        const res = await send(app, c);
        const status = c.status ?? 400;

        expect(describeResponse(res)).toMatch(new RegExp(`^${status} `));
        const lines = messages(res);
        expectLinesToName(c, lines);
        if (!c.parser) {
          expect(res.body.statusCode).toBe(400);
          expect(res.body.error).toBe('Bad Request');
          expect(names(res)).toContain(c.field);
          expect(res.body.errors).toHaveLength(lines.length);
        }
        expect(await countWritten(app)).toEqual(before);
      },
    );

    it('names several failing fields at once (contacts.0.phone, contacts.2.email, recall, launch_at, launchAt)', async () => {
      const before = await countWritten(t);
      const res = await t.post(severalBadFields(ctx()));
      expect(describeResponse(res)).toMatch(/^400 /);
      expectSeveralBadFields(names(res), messages(res));
      expect(await countWritten(t)).toEqual(before);
    });

    it('answers a one-contact-bad request with 400 and writes none of the good contacts', async () => {
      const before = await countWritten(t);
      const res = await t.post(
        campaign(ctx(), {
          contacts: [
            { phone: '+34611000001' },
            { phone: '+34611000002' },
            { phone: '+34611000003', timezone: 'Mars/Phobos' },
          ],
        }),
      );
      expect(describeResponse(res)).toMatch(/^400 /);
      expect(names(res)).toEqual(['contacts.2.timezone']);
      expect(await countWritten(t)).toEqual(before);
    });

    describe('authentication runs before any body check', () => {
      const unauthenticated: [string, Record<string, string>][] = [
        ['no Authorization header', {}],
        ['an unknown token', { Authorization: 'Bearer not-a-real-token' }],
        ['a non-Bearer scheme', { Authorization: 'Basic dXNlcjpwYXNz' }],
      ];
      const badBodies: [string, string, string][] = [
        ['malformed JSON', 'application/json', '{bad'],
        ['an invalid campaign', 'application/json', '{"contacts":[]}'],
        ['a text/plain body', 'text/plain', 'hello'],
      ];

      it.each(
        unauthenticated.flatMap(([who, headers]) =>
          badBodies.map(
            ([what, type, body]) => [who, what, headers, type, body] as const,
          ),
        ),
      )(
        '%s + %s -> 401 with WWW-Authenticate: Bearer',
        async (_who, _what, headers, type, body) => {
          const before = await countWritten(t);
          const res = await t
            .http()
            .post('/campaign')
            .set(headers)
            .set('Content-Type', type)
            .send(body);
          expect(describeResponse(res)).toMatch(/^401 /);
          expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
          expect(await countWritten(t)).toEqual(before);
        },
      );

      it('an over-large body without a token -> 401, not 413', async () => {
        const res = await t
          .http()
          .post('/campaign')
          .set('Content-Type', 'application/json')
          .send(oversizedBody());
        expect(describeResponse(res)).toMatch(/^401 /);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      });
    });

    describe('every 4xx body has the same shape', () => {
      // 400s from validation carry { statusCode, error, message: string[],
      // errors: [{ field, message }] }. Those answered by the body parser or
      // the content-type check do not: no `errors`, a string `message` for a
      // wrong Content-Type, `error: "Bad Request"` on a 415.
      const REASON: Record<number, string> = {
        400: 'Bad Request',
        413: 'Payload Too Large',
        415: 'Unsupported Media Type',
      };
      it.each([
        ['malformed JSON', 'application/json', '{bad', 400],
        ['text/plain', 'text/plain', '{}', 415],
        ['unsupported charset', 'application/json; charset=latin1', '{}', 415],
      ] as const)('%s', async (_, type, body, status) => {
        const res = await t
          .http()
          .post('/campaign')
          .set('Authorization', `Bearer ${t.token}`)
          .set('Content-Type', type)
          .send(body);
        expect(res.body).toEqual({
          statusCode: status,
          error: REASON[status],
          message: [expect.stringMatching(/^body: /)],
          errors: [{ field: 'body', message: expect.any(String) }],
        });
      });
    });
  },
);

import { Body, Controller, Module, Post } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { TEST_DIALECTS } from '../support/test-database';
import {
  countWritten,
  createTestApp,
  httpMatrix,
  type TestApp,
  type TestPlatform,
} from '../support/test-app';

/** A route of the host's own, to show its body parsing is left as it was. */
@Controller('host')
class HostEchoController {
  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return { got: body };
  }
}

@Module({ controllers: [HostEchoController] })
class HostFeatureModule {}

/** `{"a":{"a":…}}` nested `depth` levels, built as text (no recursion). */
const nested = (depth: number): string =>
  '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

interface RawAnswer {
  status: number;
  headers: string;
  /** Whether the server closed the connection before we sent the whole body. */
  closedEarly: boolean;
  ms: number;
}

/**
 * Sends the head of a POST that announces `declaredBytes` and only the first
 * `sentBytes` of its body, and reads the answer: a server that waits for
 * (or buffers) the body would not answer at all.
 */
function rawPost(
  port: number,
  path: string,
  headers: Record<string, string>,
  declaredBytes: number,
  sentBytes: number,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let answered = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer; got so far: ${text.slice(0, 200)}`));
    }, 10_000);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      answered = true;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!answered) return reject(new Error('closed without an answer'));
      const [head] = text.split('\r\n\r\n');
      resolve({
        status: Number(head.split(' ')[1]),
        headers: head.toLowerCase(),
        closedEarly: true,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    socket.on('connect', () => {
      const lines = [
        `POST ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        `Content-Length: ${declaredBytes}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ];
      socket.write(lines.join('\r\n'));
      socket.write(Buffer.alloc(sentBytes, 0x20));
    });
  });
}

describe.each(httpMatrix(TEST_DIALECTS))(
  'HTTP on any platform (%s, %s)',
  (dialect, platform: TestPlatform) => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      t = await createTestApp(dialect, {
        platform,
        imports: [HostFeatureModule],
        options: { maxBodyBytes: 256 * 1024 },
      });
      await t.app.listen(0, '127.0.0.1');
      port = (t.app.getHttpServer().address() as AddressInfo).port;
    });
    afterAll(() => t.close());

    const valid = () => ({
      playbook_id: t.playbookId,
      contacts: [{ phone: '+34612345678' }],
    });

    it('202 with Location from the route prefix and the id only', async () => {
      const res = await t.post(valid()).expect(202);
      expect(res.headers.location).toBe(`/campaign/${res.body.campaign_id}`);
    });

    it('Location ignores an absolute request line and the path as sent', async () => {
      const body = JSON.stringify(valid());
      for (const target of [
        'http://evil.example/campaign',
        '/campaign/',
        '/CAMPAIGN',
      ]) {
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1');
          let text = '';
          socket.on('data', (c) => (text += c.toString()));
          socket.on('end', () => resolve(text));
          socket.on('error', reject);
          socket.write(
            [
              `POST ${target} HTTP/1.1`,
              'Host: evil.example',
              'Connection: close',
              `Authorization: Bearer ${t.token}`,
              'Content-Type: application/json',
              `Content-Length: ${Buffer.byteLength(body)}`,
              '',
              body,
            ].join('\r\n'),
          );
        });
        const status = Number(answer.split(' ')[1]);
        if (status === 404) continue; // a platform that routes case-sensitively
        expect(status).toBe(202);
        expect(answer).toMatch(/\r\nlocation: \/campaign\/[0-9a-f-]{36}\r\n/i);
      }
    });

    it('401 for an unauthenticated 14 MB body without reading it, and closes', async () => {
      const before = await countWritten(t);
      const answer = await rawPost(
        port,
        '/campaign',
        { 'Content-Type': 'application/json' },
        14 * 1024 * 1024,
        1024,
      );
      expect(answer.status).toBe(401);
      expect(answer.headers).toContain('www-authenticate: bearer');
      expect(answer.headers).toContain('connection: close');
      expect(await countWritten(t)).toEqual(before);
    });

    it('413 for an authenticated body over maxBodyBytes, unread', async () => {
      const announced = await rawPost(
        port,
        '/campaign',
        {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${t.token}`,
        },
        10 * 1024 * 1024,
        1024,
      );
      expect(announced.status).toBe(413);
      expect(announced.headers).toContain('connection: close');
      // Sent whole: the same 413 in the module's body shape.
      const res = await t
        .post({ ...valid(), padding: 'x'.repeat(300 * 1024) })
        .expect(413);
      expect(res.body.message).toEqual(['body: the request body is too large']);
    });

    /** POSTs `chunks` with chunked transfer encoding (no length announced). */
    const streamed = (
      chunks: Buffer[],
      headers: Record<string, string> = {},
    ): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/campaign',
            headers: {
              Authorization: `Bearer ${t.token}`,
              'Content-Type': 'application/json',
              ...headers,
            },
          },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });

    it('413 for a streamed body that grows past maxBodyBytes', async () => {
      const before = await countWritten(t);
      const head = Buffer.from(
        `{"playbook_id":"${t.playbookId}","contacts":[{"phone":"+34612345678"}],"pad":"`,
      );
      const pad = Buffer.alloc(64 * 1024, 0x78);
      const answer = await streamed([head, pad, pad, pad, pad, pad]);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).message).toEqual([
        'body: the request body is too large',
      ]);
      expect(await countWritten(t)).toEqual(before);
    });

    it('reads a gzip body, counting the decoded bytes against the limit', async () => {
      const ok = await streamed([gzipSync(JSON.stringify(valid()))], {
        'Content-Encoding': 'gzip',
      });
      expect(ok.status).toBe(202);
      // 1 MB of one letter compresses to about 1 kB: the limit still holds.
      const bomb = gzipSync(
        JSON.stringify({ ...valid(), pad: 'x'.repeat(1024 * 1024) }),
      );
      const refused = await streamed([bomb], { 'Content-Encoding': 'gzip' });
      expect(refused.status).toBe(413);
      const unknown = await streamed([Buffer.from('{}')], {
        'Content-Encoding': 'compress',
      });
      expect(unknown.status).toBe(415);
    });

    it('415 for a body that is not JSON, 400 for malformed JSON, 401 before either', async () => {
      const auth = `Bearer ${t.token}`;
      let res = await t
        .http()
        .post('/campaign')
        .set('Authorization', auth)
        .set('Content-Type', 'text/plain')
        .send('hello')
        .expect(415);
      expect(res.body.message).toEqual([
        'body: Content-Type must be application/json or text/csv',
      ]);
      res = await t
        .http()
        .post('/campaign')
        .set('Authorization', auth)
        .set('Content-Type', 'application/json')
        .send('{bad')
        .expect(400);
      expect(res.body.message).toEqual(['body: malformed JSON']);
      // Unauthenticated, the same bodies are a 401 (401 before the body's
      // 400 is in create-campaign-errors).
      await t
        .http()
        .post('/campaign')
        .set('Content-Type', 'text/plain')
        .send('hello')
        .expect(401);
    });

    it.each([
      ['an unknown field', (n: string) => `{"extra":${n}}`, 'extra'],
      ['recall', (n: string) => `{"recall":${n}}`, 'recall'],
      [
        'custom_fields',
        (n: string) =>
          `{"contacts":[{"phone":"+34612345678","custom_fields":${n}}]}`,
        'contacts.0.custom_fields',
      ],
      ['a contact', (n: string) => `{"contacts":[${n}]}`, 'contacts.0'],
    ])('400, never 500, for deep nesting in %s', async (_, wrap, path) => {
      const before = await countWritten(t);
      for (const depth of [1_300, 20_000]) {
        const res = await t
          .http()
          .post('/campaign')
          .set('Authorization', `Bearer ${t.token}`)
          .set('Content-Type', 'application/json')
          .send(wrap(nested(depth)));
        expect([res.status, res.body.errors]).toEqual([400, expect.anything()]);
        const problem = (res.body.errors as { field: string }[]).find((e) =>
          e.field.startsWith(path),
        );
        expect(problem).toMatchObject({
          message: 'nests deeper than 16 levels',
        });
      }
      expect(await countWritten(t)).toEqual(before);
    });

    it('Idempotent-Replayed on a replay', async () => {
      const key = `platform-${platform}-${dialect}`;
      const first = await t.post(valid()).set('Idempotency-Key', key);
      expect(first.status).toBe(202);
      const again = await t.post(valid()).set('Idempotency-Key', key);
      expect(again.status).toBe(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.location).toBe(first.headers.location);
    });

    it("leaves the host's own routes to the host's body parser", async () => {
      const res = await t
        .http()
        .post('/host/echo')
        .send({ hello: 'world' })
        .expect(201);
      expect(res.body).toEqual({ got: { hello: 'world' } });
      // The platform's own default limit still applies to the host's routes.
      await t
        .http()
        .post('/host/echo')
        .send({ big: 'x'.repeat(2 * 1024 * 1024) })
        .expect(413);
    });
  },
);

describe.each(httpMatrix(TEST_DIALECTS))(
  'HTTP errors through the platform adapter (%s, %s)',
  (dialect, platform: TestPlatform) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, {
        platform,
        options: {
          authenticate: (token) => {
            if (token === 'explode') throw new Error('auth backend down');
            return { id: 'acct-test' };
          },
        },
      });
    });
    afterAll(() => t.close());

    it('500 with a request id and no detail', async () => {
      const res = await t
        .http()
        .get('/campaign/00000000-0000-4000-8000-000000000000')
        .set('Authorization', 'Bearer explode')
        .set('X-Request-Id', 'req-42')
        .expect(500);
      expect(res.headers['x-request-id']).toBe('req-42');
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
        request_id: 'req-42',
      });
    });
  },
);

describe.each(httpMatrix(TEST_DIALECTS))(
  'a host that keeps its own parser for every route (%s, %s)',
  (dialect, platform: TestPlatform) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, {
        platform,
        campaignBodyParser: false,
      });
    });
    afterAll(() => t.close());

    it('still creates campaigns and reports bad bodies with the module body', async () => {
      const res = await t
        .post({
          playbook_id: t.playbookId,
          contacts: [{ phone: '+34612345678' }],
        })
        .expect(202);
      expect(res.headers.location).toBe(`/campaign/${res.body.campaign_id}`);
      const bad = await t
        .http()
        .post('/campaign')
        .set('Authorization', `Bearer ${t.token}`)
        .set('Content-Type', 'application/json')
        .send(nested(1_300))
        .expect(400);
      expect(bad.body.errors[0].message).toBe('nests deeper than 16 levels');
    });
  },
);

describe.each(httpMatrix(TEST_DIALECTS))(
  'large requests with the default limits (%s, %s)',
  (dialect, platform: TestPlatform) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, { platform });
    });
    afterAll(() => t.close());

    it('takes 10 000 contacts in a body over the default limits of both platforms', async () => {
      const contacts = Array.from({ length: 10_000 }, (_, i) => ({
        phone: `+3461${String(i).padStart(7, '0')}`,
        first_name: `Contact ${i}`,
        email: `contact${i}@example.com`,
        custom_fields: { crm_id: `crm-${i}` },
      }));
      const body = { playbook_id: t.playbookId, contacts };
      // Over Express's 100 kB and Fastify's 1 MiB.
      expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(
        1024 * 1024,
      );
      const res = await t.post(body).expect(202);
      expect(res.body).toMatchObject({ contacts: 10_000, calls: 10_000 });
    });
  },
);

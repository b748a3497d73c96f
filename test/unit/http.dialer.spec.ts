import { sampleContact } from '../support/sample-contact';
import { createHmac } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DialRequest } from '../../lib/dialer/campaign-dialer.interface';
import {
  HttpDialer,
  signHttpDialerRequest,
  verifyHttpDialerSignature,
} from '../../lib/dialer/http.dialer';

const SECRET = 'test-secret';

const REQUEST: DialRequest = {
  callId: '6f1d2c3b-0000-4000-8000-000000000001',
  attempt: 2,
  campaignId: 'c0000000-0000-4000-8000-000000000001',
  accountId: 'acme',
  playbookId: 'p0000000-0000-4000-8000-000000000001',
  phone: '+12125550123',
  contact: sampleContact({
    first_name: 'José',
    last_name: 'Ñúñez',
    country: 'US',
    timezone: 'America/New_York',
    custom_fields: { plan: 'gold', seats: 3, vip: true, note: null },
  }),
};

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

type Handler = (received: Received, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1, port 0. */
async function startServer(handler: Handler) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const r = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        rawBody: Buffer.concat(chunks),
      };
      received.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dial`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(status: number, body?: unknown): Handler {
  return (_received, res) => {
    if (body === undefined) {
      res.writeHead(status).end();
    } else {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(text);
    }
  };
}

describe('HttpDialer', () => {
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('POSTs the request as signed JSON with an idempotency key', async () => {
    server = await startServer(reply(202));
    const dialer = new HttpDialer({
      url: server.url,
      secret: SECRET,
      headers: { Authorization: 'Bearer provider-key', 'X-Extra': 'yes' },
    });
    const before = Math.floor(Date.now() / 1000);
    await dialer.dial(REQUEST);

    expect(server.received).toHaveLength(1);
    const [{ method, url, headers, rawBody }] = server.received;
    expect(method).toBe('POST');
    expect(url).toBe('/dial');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['idempotency-key']).toBe(
      '6f1d2c3b-0000-4000-8000-000000000001:2',
    );
    expect(headers['authorization']).toBe('Bearer provider-key');
    expect(headers['x-extra']).toBe('yes');
    expect(JSON.parse(rawBody.toString('utf8'))).toEqual(REQUEST);

    const timestamp = headers['x-campaign-timestamp'] as string;
    expect(timestamp).toMatch(/^\d+$/);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(before + 5);

    const signature = headers['x-campaign-signature'] as string;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signature).toBe(signHttpDialerRequest(SECRET, timestamp, rawBody));
    expect(
      verifyHttpDialerSignature(SECRET, timestamp, rawBody, signature),
    ).toBe(true);
    expect(
      verifyHttpDialerSignature('other-secret', timestamp, rawBody, signature),
    ).toBe(false);
  });

  it('does not let extra headers replace the signed ones', async () => {
    server = await startServer(reply(200));
    const dialer = new HttpDialer({
      url: server.url,
      secret: SECRET,
      headers: {
        'content-type': 'text/plain',
        'x-campaign-signature': 'sha256=forged',
        'idempotency-key': 'forged',
      },
    });
    await dialer.dial(REQUEST);
    const [{ headers }] = server.received;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-campaign-signature']).not.toBe('sha256=forged');
    expect(headers['idempotency-key']).toBe(`${REQUEST.callId}:2`);
  });

  it('2xx without a body: accepted, outcome to come later', async () => {
    server = await startServer(reply(204));
    const dialer = new HttpDialer({ url: server.url, secret: SECRET });
    await expect(dialer.dial(REQUEST)).resolves.toEqual({});
  });

  it('2xx with a provider call id only', async () => {
    server = await startServer(reply(202, { provider_call_id: 'prov-123' }));
    const dialer = new HttpDialer({ url: server.url, secret: SECRET });
    await expect(dialer.dial(REQUEST)).resolves.toEqual({
      providerCallId: 'prov-123',
    });
  });

  it('2xx with a provider call id and an outcome', async () => {
    server = await startServer(
      reply(200, { provider_call_id: 'prov-9', outcome: 'no_answer' }),
    );
    const dialer = new HttpDialer({ url: server.url, secret: SECRET });
    await expect(dialer.dial(REQUEST)).resolves.toEqual({
      providerCallId: 'prov-9',
      outcome: 'no_answer',
    });
  });

  it('2xx with an unknown outcome: the outcome is ignored', async () => {
    server = await startServer(
      reply(200, { provider_call_id: 'prov-9', outcome: 'ringing' }),
    );
    const dialer = new HttpDialer({ url: server.url, secret: SECRET });
    const result = await dialer.dial(REQUEST);
    expect(result.outcome).toBeUndefined();
    expect(result.providerCallId).toBe('prov-9');
    expect(result.details).toEqual({ ignoredOutcome: 'ringing' });
  });

  it('2xx with a body that is not JSON: accepted without outcome', async () => {
    server = await startServer(reply(200, 'OK'));
    const dialer = new HttpDialer({ url: server.url, secret: SECRET });
    const result = await dialer.dial(REQUEST);
    expect(result.outcome).toBeUndefined();
    expect(result.providerCallId).toBeUndefined();
  });

  it('500 → failed', async () => {
    server = await startServer(reply(500, { error: 'boom' }));
    const dialer = new HttpDialer({ url: server.url, secret: SECRET });
    const result = await dialer.dial(REQUEST);
    expect(result.outcome).toBe('failed');
    expect(result.details).toMatchObject({
      reason: 'http_status',
      status: 500,
    });
    expect(server.received).toHaveLength(1); // no retry within the attempt
  });

  it('a redirect is not followed → failed', async () => {
    server = await startServer((_r, res) =>
      res.writeHead(307, { Location: 'http://127.0.0.1:1/elsewhere' }).end(),
    );
    const dialer = new HttpDialer({ url: server.url, secret: SECRET });
    const result = await dialer.dial(REQUEST);
    expect(result).toMatchObject({
      outcome: 'failed',
      details: { reason: 'http_status', status: 307 },
    });
  });

  it('timeout → failed (server never answers)', async () => {
    server = await startServer(() => {
      /* never answers */
    });
    const dialer = new HttpDialer({
      url: server.url,
      secret: SECRET,
      timeoutMs: 200,
    });
    const started = Date.now();
    const result = await dialer.dial(REQUEST);
    expect(result).toEqual({
      outcome: 'failed',
      details: { reason: 'timeout', timeoutMs: 200 },
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(server.received).toHaveLength(1);
  });

  it('timeout while reading the body → failed', async () => {
    server = await startServer((_r, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"provider_call_id":');
    });
    const dialer = new HttpDialer({
      url: server.url,
      secret: SECRET,
      timeoutMs: 200,
    });
    const result = await dialer.dial(REQUEST);
    expect(result).toMatchObject({
      outcome: 'failed',
      details: { reason: 'timeout' },
    });
  });

  it('connection refused → failed', async () => {
    const closed = await startServer(reply(200));
    const url = closed.url;
    await closed.close();
    const dialer = new HttpDialer({ url, secret: SECRET });
    const result = await dialer.dial(REQUEST);
    expect(result.outcome).toBe('failed');
    expect(result.details).toMatchObject({ reason: 'network_error' });
    expect(String(result.details?.error)).toMatch(/ECONNREFUSED/);
  });

  it('rejects bad options at construction', () => {
    expect(() => new HttpDialer({ url: 'not a url', secret: SECRET })).toThrow(
      /not a valid URL/,
    );
    expect(
      () => new HttpDialer({ url: 'ftp://example.com', secret: SECRET }),
    ).toThrow(/http: or https:/);
    expect(
      () => new HttpDialer({ url: 'http://example.com', secret: '' }),
    ).toThrow(/secret/);
    expect(
      () =>
        new HttpDialer({
          url: 'http://example.com',
          secret: SECRET,
          timeoutMs: 0,
        }),
    ).toThrow(/timeoutMs/);
  });
});

describe('verifyHttpDialerSignature', () => {
  const body = '{"callId":"x","attempt":1}';
  const now = 1_750_000_000_000;
  const timestamp = String(now / 1000);
  const signature = signHttpDialerRequest(SECRET, timestamp, body);

  it('accepts a valid signature (string or Buffer body)', () => {
    expect(
      verifyHttpDialerSignature(SECRET, timestamp, body, signature, 300, now),
    ).toBe(true);
    expect(
      verifyHttpDialerSignature(
        SECRET,
        Number(timestamp),
        Buffer.from(body),
        signature,
        300,
        now,
      ),
    ).toBe(true);
  });

  it('signs "<timestamp>.<raw body>" with HMAC-SHA256', () => {
    // Independent reference computation.
    const hex = createHmac('sha256', SECRET)
      .update(`${timestamp}.${body}`)
      .digest('hex');
    expect(signature).toBe(`sha256=${hex}`);
  });

  it.each([
    ['a tampered body', SECRET, timestamp, `${body} `, signature],
    ['another secret', 'nope', timestamp, body, signature],
    ['another timestamp', SECRET, String(now / 1000 + 1), body, signature],
    ['no signature', SECRET, timestamp, body, undefined],
    ['no timestamp', SECRET, undefined, body, signature],
    ['a malformed signature', SECRET, timestamp, body, 'sha256=abc'],
    ['a signature without prefix', SECRET, timestamp, body, signature.slice(7)],
    ['a non-numeric timestamp', SECRET, `${timestamp}x`, body, signature],
  ])('rejects %s', (_label, secret, ts, raw, sig) => {
    expect(verifyHttpDialerSignature(secret, ts, raw, sig, 300, now)).toBe(
      false,
    );
  });

  it('rejects a timestamp outside the tolerance', () => {
    const old = String(now / 1000 - 301);
    const sig = signHttpDialerRequest(SECRET, old, body);
    expect(verifyHttpDialerSignature(SECRET, old, body, sig, 300, now)).toBe(
      false,
    );
    expect(verifyHttpDialerSignature(SECRET, old, body, sig, 600, now)).toBe(
      true,
    );
    const future = String(now / 1000 + 301);
    const sig2 = signHttpDialerRequest(SECRET, future, body);
    expect(
      verifyHttpDialerSignature(SECRET, future, body, sig2, 300, now),
    ).toBe(false);
  });
});

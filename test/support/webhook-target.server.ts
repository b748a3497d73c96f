import {
  createServer,
  type IncomingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TargetRequest {
  body: string;
  headers: IncomingHttpHeaders;
  path: string;
}

/** How the target answers one request (it may also never answer). */
export type TargetBehaviour = (
  request: TargetRequest,
  response: ServerResponse,
) => void;

export const answer =
  (status: number, headers: Record<string, string> = {}): TargetBehaviour =>
  (_, res) =>
    res.writeHead(status, headers).end();

/** Accepts the request and never answers. */
export const hang: TargetBehaviour = () => undefined;

/** A 200 followed by an endless body. */
export const endlessBody: TargetBehaviour = (_, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 120);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
};

/** A redirect to itself, forever. */
export const redirectLoop: TargetBehaviour = (req, res) =>
  res.writeHead(302, { location: req.path }).end();

/**
 * A local webhook receiver: records each request (body, headers) and
 * answers it with the behaviour of the moment (`behave`), 204 by default.
 * Tracks how many requests it holds at once.
 */
export async function startWebhookTarget() {
  const received: TargetRequest[] = [];
  let behaviour: TargetBehaviour = answer(204);
  let open = 0;
  let maxOpen = 0;
  const server = createServer((req, res) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        path: req.url ?? '/',
      };
      received.push(request);
      behaviour(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path = '/hooks') => `http://127.0.0.1:${port}${path}`,
    received,
    behave(next: TargetBehaviour) {
      behaviour = next;
    },
    get open() {
      return open;
    },
    get maxOpen() {
      return maxOpen;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WebhookTarget = Awaited<ReturnType<typeof startWebhookTarget>>;

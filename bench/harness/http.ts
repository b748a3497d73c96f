import { request } from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

/** One POST on a new connection (no keep-alive socket the server may close meanwhile). */
export function post(
  port: number,
  path: string,
  token: string,
  body: Buffer,
  contentType = 'application/json',
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': contentType,
          'content-length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    // A server that refuses a large body may close the socket before reading it.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET'
        ? resolve({ status: 0, body: error.code })
        : reject(error),
    );
    req.end(body);
  });
}

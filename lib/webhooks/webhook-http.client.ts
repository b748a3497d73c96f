import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  hostOf,
  WebhookUrlPolicy,
  WebhookUrlRefusedError,
} from './webhook-url.policy';

/** How a try ended, as the delivery log and the metrics name it. */
export type WebhookTryResult =
  'success' | 'http_error' | 'redirect' | 'timeout' | 'network' | 'blocked';

export interface WebhookResponse {
  result: WebhookTryResult;
  /** HTTP status, when the receiver answered. */
  statusCode: number | null;
  latencyMs: number;
  /** Why it failed (null on success); never the response body. */
  error: string | null;
  /** `Retry-After` of the answer, if any. */
  retryAfter?: string;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookHttpLimits {
  timeoutMs: number;
  maxResponseBytes: number;
  /** Ends the request at once (shutdown): the answer is then `network`, "aborted". */
  signal?: AbortSignal;
}

const USER_AGENT = 'nestjs-call-campaigns-webhooks/1';

/**
 * One POST to a receiver, bounded in every way a hostile receiver could
 * stretch it: one timer covers connect to last byte, the response is read
 * up to `maxResponseBytes` and then the socket is destroyed, redirects are
 * never followed (a 3xx is a failure: Standard Webhooks, "3xx: Failure.
 * Following redirects causes unnecessary load"; Svix, "Any other status
 * code, including 3xx redirects are treated as failures",
 * https://docs.svix.com/retries), and no connection is pooled. Resolves on every outcome, never rejects.
 */
export function postWebhook(
  policy: WebhookUrlPolicy,
  target: WebhookRequest,
  limits: WebhookHttpLimits,
): Promise<WebhookResponse> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  return new Promise<WebhookResponse>((resolve) => {
    const timers: { total?: NodeJS.Timeout } = {};
    let settled = false;
    const finish = (response: Omit<WebhookResponse, 'latencyMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timers.total);
      resolve({ ...response, latencyMs: latency() });
    };
    let url: URL;
    try {
      url = policy.parse(target.url);
      const host = hostOf(url);
      // Node skips `lookup` for an IP literal: check it here.
      if (isIP(host)) policy.assertAddress(host, host);
    } catch (error) {
      finish(failure(error));
      return;
    }
    const body = Buffer.from(target.body, 'utf8');
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      agent: false,
      lookup: policy.connectLookup(),
      headers: {
        ...target.headers,
        'content-type': 'application/json',
        'content-length': String(body.length),
        'user-agent': USER_AGENT,
        connection: 'close',
      },
    });
    timers.total = setTimeout(() => {
      finish({
        result: 'timeout',
        statusCode: null,
        error: `no complete answer within ${limits.timeoutMs} ms`,
      });
      req.destroy();
    }, limits.timeoutMs);
    const abort = () => {
      finish({ result: 'network', statusCode: null, error: 'aborted' });
      req.destroy();
    };
    if (limits.signal?.aborted) abort();
    limits.signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => limits.signal?.removeEventListener('abort', abort));
    req.on('error', (error) => finish(failure(error)));
    req.on('response', (res) => {
      readBounded(res, limits.maxResponseBytes, () => {
        finish(answered(res));
        res.destroy();
        req.destroy();
      });
    });
    req.end(body);
  });
}

/** Reads (and drops) at most `max` bytes, then calls `done` once. */
function readBounded(
  res: IncomingMessage,
  max: number,
  done: () => void,
): void {
  let size = 0;
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    done();
  };
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size >= max) once();
  });
  res.on('end', once);
  res.on('error', once);
  res.on('aborted', once);
}

function answered(res: IncomingMessage): Omit<WebhookResponse, 'latencyMs'> {
  const status = res.statusCode ?? 0;
  const retryAfter =
    typeof res.headers['retry-after'] === 'string'
      ? res.headers['retry-after']
      : undefined;
  if (status >= 200 && status < 300) {
    return { result: 'success', statusCode: status, error: null };
  }
  if (status >= 300 && status < 400) {
    const location = String(res.headers.location ?? '').slice(0, 200);
    return {
      result: 'redirect',
      statusCode: status,
      error: `redirect not followed${location ? ` (Location: ${location})` : ''}; update the endpoint URL`,
    };
  }
  return {
    result: 'http_error',
    statusCode: status,
    error: `HTTP ${status}`,
    retryAfter,
  };
}

function failure(error: unknown): Omit<WebhookResponse, 'latencyMs'> {
  if (error instanceof WebhookUrlRefusedError) {
    return {
      result: 'blocked',
      statusCode: null,
      error: `refused: ${error.message}`,
    };
  }
  const e = error as NodeJS.ErrnoException;
  const detail = [e.code, e.message].filter(Boolean).join(' ');
  return {
    result: 'network',
    statusCode: null,
    error: detail.slice(0, 500) || 'connection failed',
  };
}

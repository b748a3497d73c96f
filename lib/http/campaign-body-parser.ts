import type { IncomingMessage, ServerResponse } from 'node:http';
import { CAMPAIGN_OPTION_DEFAULTS } from '../options/resolve-campaign-options';

/** Headers that tell a body parser there is a body to read. */
const BODY_HEADERS = ['content-type', 'content-length', 'transfer-encoding'];

const DEFERRED_BODY = Symbol('nestjs-call-campaigns.deferredBody');

type DeferredRequest = IncomingMessage & {
  [DEFERRED_BODY]?: Record<string, string | string[] | undefined>;
};

export interface CampaignBodyParserOptions {
  /**
   * Path the module's routes are served under, as the client sends it: the
   * global prefix (if any) and the module's `routePrefix`. Default `/campaign`.
   */
  path?: string;
}

/**
 * Connect-style middleware for `app.use()` (Express and Fastify alike) that
 * keeps the body of a request to the module's routes away from every body
 * parser of the host: the module reads it itself after authentication, with
 * its own limit (`maxBodyBytes`), so a request without a valid token is
 * answered 401 unread. Every other route is left to the host's parsers.
 * Register it before the app starts (before `listen`/`init`).
 */
export function campaignBodyParser(options: CampaignBodyParserOptions = {}) {
  const base = `/${(options.path ?? CAMPAIGN_OPTION_DEFAULTS.routePrefix)
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase()}`;
  return (
    request: IncomingMessage,
    _response: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    const path = (request.url ?? '').split('?')[0].toLowerCase();
    if (path === base || path.startsWith(`${base}/`)) deferBody(request);
    next();
  };
}

/** Hides the framing headers that body parsers look for; `takeDeferredBody` restores them. */
function deferBody(request: DeferredRequest): void {
  if (request[DEFERRED_BODY]) return;
  const hidden: Record<string, string | string[] | undefined> = {};
  for (const name of BODY_HEADERS) {
    hidden[name] = request.headers[name];
    delete request.headers[name];
  }
  request[DEFERRED_BODY] = hidden;
}

/**
 * Gives the request its framing headers back. True when the body was
 * deferred (the stream is then unread and the module reads it).
 */
export function takeDeferredBody(request: IncomingMessage): boolean {
  const hidden = (request as DeferredRequest)[DEFERRED_BODY];
  if (!hidden) return false;
  for (const [name, value] of Object.entries(hidden)) {
    if (value !== undefined) request.headers[name] = value;
  }
  return true;
}

import { json, type NextFunction, type Request, type Response } from 'express';

export const DEFAULT_CAMPAIGN_BODY_LIMIT = '16mb';

const DEFERRED_BODY_ERROR = Symbol('campaignBodyError');

export interface DeferredBodyError {
  status: number;
  message: string;
}

type RequestWithBodyError = Request & {
  [DEFERRED_BODY_ERROR]?: DeferredBodyError;
};

/**
 * JSON body parser for host apps (create the app with `bodyParser: false`).
 * Its limit fits a 10 000-contact request, and a parse error is kept on the
 * request instead of answered at once, so that authentication still runs first.
 */
export function campaignJsonBodyParser(
  options: { limit?: string | number } = {},
) {
  const parse = json({ limit: options.limit ?? DEFAULT_CAMPAIGN_BODY_LIMIT });
  return (req: Request, res: Response, next: NextFunction): void => {
    parse(req, res, (error?: unknown) => {
      if (error) {
        (req as RequestWithBodyError)[DEFERRED_BODY_ERROR] = toBodyError(error);
      }
      next();
    });
  };
}

export function deferredBodyError(req: Request): DeferredBodyError | undefined {
  return (req as RequestWithBodyError)[DEFERRED_BODY_ERROR];
}

function toBodyError(error: unknown): DeferredBodyError {
  const { status, type } = error as { status?: number; type?: string };
  if (type === 'entity.too.large') {
    return { status: 413, message: 'the request body is too large' };
  }
  if (type === 'entity.parse.failed') {
    return { status: 400, message: 'malformed JSON' };
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { status: 415, message: 'unsupported encoding or charset' };
  }
  const code = status && status >= 400 && status < 500 ? status : 400;
  return { status: code, message: 'the request body could not be read' };
}

import {
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import {
  readCampaignImport,
  type CampaignBodyFormat,
} from '../imports/campaign-import.reader';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { takeDeferredBody } from './campaign-body-parser';
import {
  nodeRequestOf,
  type CampaignRequest,
} from './campaign-request.interface';
import {
  bodyChunks,
  contentTypeProblem,
  jsonContentTypeProblem,
  readJsonBody,
} from './json-body.reader';

/** What `POST /campaign` reads. */
const CAMPAIGN_MEDIA_TYPES = ['application/json', 'text/csv'] as const;

/**
 * Runs after authentication and before anything that looks at the body of
 * `POST /campaign`: 415 unless the body is JSON or CSV, then, when no host
 * parser has read it (see `campaignBodyParser`), streams it in with the
 * module's `maxBodyBytes` limit, each contact checked as it arrives (see
 * `readCampaignImport`); the pipe gives the verdict.
 */
@Injectable()
export class CampaignBodyGuard implements CanActivate {
  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<CampaignRequest>();
    const node = nodeRequestOf(request);
    const deferred = takeDeferredBody(node);
    const contentType = request.headers['content-type'];
    const problem = contentTypeProblem(contentType, CAMPAIGN_MEDIA_TYPES);
    if (problem) throw problem;
    const format: CampaignBodyFormat = /^\s*text\/csv/i.test(contentType ?? '')
      ? 'csv'
      : 'json';
    // A host's text parser may have read a CSV body: read that text.
    const parsedText =
      typeof request.body === 'string' || Buffer.isBuffer(request.body)
        ? Buffer.from(request.body)
        : null;
    if (!deferred && !isUnread(request) && !(format === 'csv' && parsedText)) {
      return true;
    }
    const chunks =
      !deferred && parsedText
        ? [parsedText]
        : bodyChunks(node, this.options.maxBodyBytes);
    const read = await readCampaignImport(chunks, node.url ?? '', format, {
      maxContacts: this.options.maxContactsPerCampaign,
      defaultCountry: this.options.defaultCountry,
    });
    // A spooled import is removed however the request ends (403, 400, 202).
    const response = http.getResponse<
      ServerResponse & { raw?: ServerResponse }
    >();
    (response.raw ?? response).once('close', () => {
      void read.intake.spool.dispose();
    });
    request.body = read;
    return true;
  }
}

function isUnread(request: CampaignRequest): boolean {
  const node = nodeRequestOf(request);
  return (
    request.body === undefined &&
    !node.readableEnded &&
    node.readableFlowing === null
  );
}

/**
 * The JSON body step of the module's other guards: 415 unless JSON, then
 * the body read whole (at most `maxBytes`) when the module deferred it or
 * no host parser read it.
 */
export async function readModuleBody(
  context: ExecutionContext,
  maxBytes: number,
): Promise<boolean> {
  const request = context.switchToHttp().getRequest<CampaignRequest>();
  const node = nodeRequestOf(request);
  const deferred = takeDeferredBody(node);
  const problem = jsonContentTypeProblem(request.headers['content-type']);
  if (problem) throw problem;
  if (deferred || isUnread(request)) {
    request.body = await readJsonBody(node, maxBytes);
  }
  return true;
}

import {
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { takeDeferredBody } from './campaign-body-parser';
import {
  nodeRequestOf,
  type CampaignRequest,
} from './campaign-request.interface';
import { jsonContentTypeProblem, readJsonBody } from './json-body.reader';

/**
 * Runs after authentication and before anything that looks at the body:
 * 415 unless the body is JSON, then reads it when no host parser has (see
 * `campaignBodyParser`), with the module's `maxBodyBytes` limit.
 */
@Injectable()
export class CampaignBodyGuard implements CanActivate {
  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return readModuleBody(context, this.options.maxBodyBytes);
  }
}

/**
 * The guards' one body step: 415 unless JSON, then the body read (at most
 * `maxBytes`) when the module deferred it or no host parser read it.
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
  const unread =
    request.body === undefined &&
    !node.readableEnded &&
    node.readableFlowing === null;
  if (deferred || unread) request.body = await readJsonBody(node, maxBytes);
  return true;
}

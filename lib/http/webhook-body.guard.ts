import {
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { takeDeferredBody } from './campaign-body-parser';
import {
  nodeRequestOf,
  type CampaignRequest,
} from './campaign-request.interface';
import { jsonContentTypeProblem, readJsonBody } from './json-body.reader';

/** Largest body of the webhook-endpoint routes. */
export const WEBHOOK_BODY_MAX_BYTES = 16 * 1024;

/**
 * As `CampaignBodyGuard` (after authentication; 415 unless JSON; reads a
 * deferred body itself) with the small limit of the webhook-endpoint routes.
 */
@Injectable()
export class WebhookBodyGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CampaignRequest>();
    const node = nodeRequestOf(request);
    const deferred = takeDeferredBody(node);
    const problem = jsonContentTypeProblem(request.headers['content-type']);
    if (problem) throw problem;
    const unread =
      request.body === undefined &&
      !node.readableEnded &&
      node.readableFlowing === null;
    if (deferred || unread) {
      request.body = await readJsonBody(node, WEBHOOK_BODY_MAX_BYTES);
    }
    return true;
  }
}

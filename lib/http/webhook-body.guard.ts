import {
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { readModuleBody } from './campaign-body.guard';

/** Largest body of the webhook-endpoint routes. */
export const WEBHOOK_BODY_MAX_BYTES = 16 * 1024;

/**
 * As `CampaignBodyGuard` (after authentication; 415 unless JSON; reads a
 * deferred body itself) with the small limit of the webhook-endpoint routes.
 */
@Injectable()
export class WebhookBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): Promise<boolean> {
    return readModuleBody(context, WEBHOOK_BODY_MAX_BYTES);
  }
}

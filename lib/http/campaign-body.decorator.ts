import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CampaignRequest } from './campaign-request.interface';

/**
 * The `POST /campaign` body as `CampaignBodyGuard` left it. Not `@Body()`:
 * the OpenAPI request body (JSON and CSV, each its own schema) is declared
 * on the route, which `@Body()` would replace with one schema for both.
 */
export const CampaignBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown =>
    context.switchToHttp().getRequest<CampaignRequest>().body,
);

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type {
  CampaignAccount,
  CampaignPlaybookRef,
} from '../options/campaign-module-options.interface';

/**
 * A request as the module's guards leave it, on any HTTP platform: an
 * Express request is the Node message itself, a Fastify request carries it
 * as `raw`.
 */
export interface CampaignRequest {
  headers: IncomingHttpHeaders;
  body?: unknown;
  raw?: IncomingMessage;
  campaignAccount?: CampaignAccount;
  campaignPlaybook?: CampaignPlaybookRef;
}

/** The Node request under a platform's request object. */
export function nodeRequestOf(request: CampaignRequest): IncomingMessage {
  return request.raw ?? (request as unknown as IncomingMessage);
}

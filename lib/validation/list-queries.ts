import {
  decodeCallCursor,
  decodeCampaignCursor,
  decodeDoNotCallCursor,
  type CallCursor,
  type CampaignCursor,
} from '../database/cursor';
import {
  CALL_STATUSES,
  CAMPAIGN_STATUSES,
  type CallStatus,
  type CampaignStatus,
} from '../entities/campaign-status';
import {
  decodeDeliveryCursor,
  type WebhookDeliveryCursor,
} from '../database/cursor';
import {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliveryStatus,
} from '../webhooks/webhook-endpoint.interface';
import { flag, oneOf, type ListQuerySpec } from './list-query.parser';

/** `GET /campaign`: newest first, by status; `counts` adds the calls by status. */
export const CAMPAIGN_LIST_QUERY: ListQuerySpec<
  CampaignCursor,
  { status: CampaignStatus; counts: boolean }
> = {
  decodeCursor: decodeCampaignCursor,
  params: { status: oneOf(CAMPAIGN_STATUSES), counts: flag() },
};

/** `GET /campaign/:id/calls`: by call id, by status. */
export const CALL_LIST_QUERY: ListQuerySpec<
  CallCursor,
  { status: CallStatus }
> = {
  decodeCursor: decodeCallCursor,
  params: { status: oneOf(CALL_STATUSES) },
};

/** `GET /campaign/do-not-call`: by phone; the cursor is the last phone. */
export const DO_NOT_CALL_LIST_QUERY: ListQuerySpec<string, object> = {
  decodeCursor: decodeDoNotCallCursor,
  params: {},
};

/** `GET /<prefix>/webhook-endpoints/:id/deliveries`: newest first, by status. */
export const WEBHOOK_DELIVERY_LIST_QUERY: ListQuerySpec<
  WebhookDeliveryCursor,
  { status: WebhookDeliveryStatus }
> = {
  decodeCursor: decodeDeliveryCursor,
  params: { status: oneOf(WEBHOOK_DELIVERY_STATUSES) },
};

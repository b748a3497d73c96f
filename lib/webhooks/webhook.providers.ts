import type { Provider } from '@nestjs/common';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import { CAMPAIGN_EVENT_FANOUT } from '../events/campaign-event-fanout.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookFanout } from './webhook-fanout';
import { WebhookUrlPolicy } from './webhook-url.policy';

/** The webhooks' internal providers; the fan-out is the outbox relay's `CAMPAIGN_EVENT_FANOUT`. */
export const WEBHOOK_PROVIDERS: Provider[] = [
  {
    provide: WebhookUrlPolicy,
    useFactory: (options: ResolvedCampaignOptions) =>
      new WebhookUrlPolicy(options.webhooks),
    inject: [CAMPAIGN_OPTIONS],
  },
  WebhookDeliveryRepository,
  WebhookFanout,
  { provide: CAMPAIGN_EVENT_FANOUT, useExisting: WebhookFanout },
];

import {
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  UnauthorizedException,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { CampaignDialer } from '../dialer/campaign-dialer.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import {
  InvalidWebhookPayloadError,
  type ProviderWebhook,
  type ProviderWebhookRequest,
} from '../providers/provider.interface';
import { CallOutcomeService } from '../scheduler/call-outcome.service';
import { InvalidOutcomeReportError } from '../scheduler/invalid-outcome-report.error';
import { InvalidCampaignRequestException } from '../validation/field-problem';
import { takeDeferredBody } from './campaign-body-parser';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import {
  nodeRequestOf,
  type CampaignRequest,
} from './campaign-request.interface';
import { readRawBody } from './json-body.reader';

/** Provider events are small: a status callback or an end-of-call report. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** A dialer that receives webhooks for one provider, or routes to several. */
type WebhookDialer = CampaignDialer & {
  webhook?: ProviderWebhook;
  webhooks?: readonly ProviderWebhook[];
};

/**
 * `POST /<prefix>/webhooks/<provider>`: a provider's status events. Not
 * behind the Bearer guard: each request is verified with the provider's own
 * signature scheme (401 when it fails), then its outcomes are recorded by
 * the provider's call id, idempotently (a redelivered event changes
 * nothing and still gets 200). A malformed body is a 400, never a 500.
 */
@ApiExcludeController()
@UseFilters(CampaignExceptionFilter)
export class ProviderWebhookController {
  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    private readonly outcomes: CallOutcomeService,
  ) {}

  @Post('webhooks/:provider')
  @HttpCode(200)
  async receive(
    @Param('provider') provider: string,
    @Req() request: CampaignRequest,
  ): Promise<{ received: number; recorded: number }> {
    const webhook = this.webhookOf(provider);
    if (!webhook) {
      throw new NotFoundException(`no webhook for provider "${provider}"`);
    }
    const incoming = await this.incoming(request, webhook);
    if (!(await webhook.verify(incoming))) {
      throw new UnauthorizedException('invalid webhook signature');
    }
    let events;
    try {
      events = webhook.parse(incoming);
    } catch (error) {
      if (error instanceof InvalidWebhookPayloadError) {
        throw new InvalidCampaignRequestException([
          { field: 'body', message: error.message },
        ]);
      }
      throw error;
    }
    let recorded = 0;
    for (const event of events) {
      if (!event.outcome) continue;
      try {
        const done = await this.outcomes.reportByProviderCallId(
          event.providerCallId,
          event.outcome,
          event.details ?? {},
          { callId: event.callId, attempt: event.attempt },
        );
        if (done) recorded++;
      } catch (error) {
        if (error instanceof InvalidOutcomeReportError) {
          throw new InvalidCampaignRequestException([
            { field: 'body', message: error.message },
          ]);
        }
        throw error;
      }
    }
    return { received: events.length, recorded };
  }

  private webhookOf(provider: string): ProviderWebhook | undefined {
    const dialer: WebhookDialer | undefined = this.options.dialer;
    const all = [
      ...(dialer?.webhook ? [dialer.webhook] : []),
      ...(dialer?.webhooks ?? []),
    ];
    return all.find((w) => w.provider === provider);
  }

  /**
   * The raw bytes as the provider sent them (what signatures cover): read
   * here when `campaignBodyParser()` kept them for the module, else rebuilt
   * from what the host's parser made of them.
   */
  private async incoming(
    request: CampaignRequest,
    webhook: ProviderWebhook,
  ): Promise<ProviderWebhookRequest> {
    const node = nodeRequestOf(request);
    const deferred = takeDeferredBody(node);
    let rawBody: Buffer;
    const parsed = request.body;
    const raw = (request as { rawBody?: unknown }).rawBody;
    if (deferred || (parsed === undefined && !node.readableEnded)) {
      rawBody = await readRawBody(node, MAX_WEBHOOK_BYTES);
    } else if (Buffer.isBuffer(raw)) {
      rawBody = raw;
    } else if (typeof parsed === 'object' && parsed !== null) {
      const form = /x-www-form-urlencoded/.test(
        String(request.headers['content-type'] ?? ''),
      );
      rawBody = Buffer.from(
        form
          ? new URLSearchParams(
              Object.entries(parsed as Record<string, string>),
            ).toString()
          : JSON.stringify(parsed),
      );
    } else {
      rawBody = Buffer.alloc(0);
    }
    const path = node.url ?? '';
    const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
    const url = webhook.publicUrl
      ? `${webhook.publicUrl.split('?')[0]}${query}`
      : `${forwardedProto(request)}://${String(request.headers.host ?? '')}${path}`;
    return { rawBody, headers: request.headers, url };
  }
}

function forwardedProto(request: CampaignRequest): string {
  const given = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(given) ? given[0] : given)?.split(',')[0];
  return first === 'https' || first === 'http' ? first : 'http';
}

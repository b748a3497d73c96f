import { Inject, Injectable, Logger } from '@nestjs/common';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import type {
  CampaignEvent,
  CampaignEventListener,
} from './campaign-event.interface';

/**
 * Lifecycle events for the host: subscribe here, or pass an `eventEmitter`
 * (e.g. EventEmitter2) in the options to get them as `campaign.completed`,
 * `call.attempt.finished`, … A failing subscriber is logged and never breaks
 * the caller.
 */
@Injectable()
export class CampaignEventsService {
  private readonly logger = new Logger('CampaignEvents');
  private readonly listeners = new Set<CampaignEventListener>();

  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: CampaignEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: CampaignEvent): void {
    const sink = this.options.eventEmitter;
    if (sink) this.deliver(() => sink.emit(event.type, event), event);
    for (const listener of this.listeners) {
      this.deliver(() => listener(event), event);
    }
  }

  private deliver(send: () => unknown, event: CampaignEvent): void {
    const fail = (error: unknown) =>
      this.logger.error(
        `a ${event.type} subscriber failed: ${(error as Error)?.message ?? String(error)}`,
      );
    try {
      const result = send();
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}

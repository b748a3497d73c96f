import { Inject, Injectable, Logger } from '@nestjs/common';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import type {
  CampaignEvent,
  CampaignEventListener,
} from './campaign-event.interface';

/**
 * Events for the host: subscribe here, or pass an `eventEmitter` (e.g.
 * EventEmitter2) in the options to get them as `campaign.completed`,
 * `call.finished`, … Durable events come from the outbox relay, at least
 * once, on whichever replica delivers them (deduplicate on `id`, order on
 * `sequence`). A failing subscriber is logged and never breaks the caller.
 */
@Injectable()
export class CampaignEventsService {
  private readonly logger = new Logger('CampaignEvents');
  private readonly listeners = new Set<CampaignEventListener>();
  /** Listeners the relay waits for before it marks an event delivered. */
  private readonly durable = new Set<CampaignEventListener>();

  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {}

  /**
   * Adds a listener; returns the function that removes it. With `durable:
   * false` (counters of this process, like the module's metrics) the relay
   * does not hold events back for it: they are marked delivered as they
   * are leased and then handed over, so a crash in between skips them here.
   */
  subscribe(
    listener: CampaignEventListener,
    options: { durable?: boolean } = {},
  ): () => void {
    this.listeners.add(listener);
    if (options.durable !== false) this.durable.add(listener);
    return () => {
      this.listeners.delete(listener);
      this.durable.delete(listener);
    };
  }

  /** Whether a delivery must be confirmed before the event counts as delivered. */
  get waitsForDelivery(): boolean {
    return Boolean(this.options.eventEmitter) || this.durable.size > 0;
  }

  /** Hands an event to every subscriber without waiting for them. */
  emit(event: CampaignEvent): void {
    void this.deliver(event, Infinity);
  }

  /**
   * Hands an event to every subscriber and waits until each has settled
   * (or `timeoutMs` passed): the relay marks an event delivered after this.
   */
  async deliver(event: CampaignEvent, timeoutMs: number): Promise<void> {
    const sink = this.options.eventEmitter;
    const sends = [
      ...(sink ? [() => sink.emit(event.type, event)] : []),
      ...[...this.listeners].map((listener) => () => listener(event)),
    ];
    await Promise.all(sends.map((send) => this.settle(send, event, timeoutMs)));
  }

  private async settle(
    send: () => unknown,
    event: CampaignEvent,
    timeoutMs: number,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = send();
      if (!(result instanceof Promise)) return;
      await (Number.isFinite(timeoutMs)
        ? Promise.race([
            result,
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no answer within ${timeoutMs} ms`)),
                timeoutMs,
              );
            }),
          ])
        : result);
    } catch (error) {
      this.logger.error(
        `a ${event.type} subscriber failed: ${(error as Error)?.message ?? String(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

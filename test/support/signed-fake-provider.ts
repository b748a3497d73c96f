import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  InvalidWebhookPayloadError,
  type AttemptLookup,
  type CallOutcome,
  type DialRequest,
  type DialResult,
  type ProviderCallEvent,
  type ProviderDialer,
  type ProviderWebhook,
  type ProviderWebhookRequest,
} from '../../lib';

/**
 * A provider outside the project, as the module sees one: it accepts calls
 * (an id, the outcome later by a webhook signed with HMAC-SHA256 of the raw
 * body), may refuse them for its limits, and can be asked what became of a
 * call. Used to test the module's webhook route, release and reconciliation;
 * the real providers' dialers have fakes of their own.
 */
export class SignedFakeProvider implements ProviderDialer {
  readonly dials: DialRequest[] = [];
  readonly lookups: AttemptLookup[] = [];
  /** Calls the provider knows, by its id: their outcome so far. */
  readonly calls = new Map<string, CallOutcome | null>();
  private sequence = 0;

  constructor(
    readonly secret: string,
    private readonly refuse: Record<string, number> = {},
  ) {}

  readonly webhook: ProviderWebhook = {
    provider: 'vapi',
    verify: (request: ProviderWebhookRequest) => {
      const given = String(request.headers['x-fake-signature'] ?? '');
      const expected = this.sign(request.rawBody);
      return (
        given.length === expected.length &&
        timingSafeEqual(Buffer.from(given), Buffer.from(expected))
      );
    },
    parse: (request: ProviderWebhookRequest): ProviderCallEvent[] => {
      let body: unknown;
      try {
        body = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        throw new InvalidWebhookPayloadError('body is not JSON');
      }
      const { id, outcome } = (body ?? {}) as {
        id?: unknown;
        outcome?: unknown;
      };
      if (typeof id !== 'string') {
        throw new InvalidWebhookPayloadError('id is required');
      }
      return [
        { providerCallId: id, outcome: (outcome as CallOutcome) ?? null },
      ];
    },
  };

  sign(body: Buffer | string): string {
    return createHmac('sha256', this.secret).update(body).digest('hex');
  }

  async dial(request: DialRequest): Promise<DialResult> {
    this.dials.push(request);
    if ((this.refuse[request.phone] ?? 0) > 0) {
      this.refuse[request.phone]--;
      return {
        notPlaced: {
          reason: 'concurrency limit reached',
          retryAfterMs: 60_000,
        },
      };
    }
    const id = `fp-${++this.sequence}`;
    this.calls.set(id, null);
    return { providerCallId: id };
  }

  async lookup(attempt: AttemptLookup): Promise<DialResult | null> {
    this.lookups.push(attempt);
    if (!attempt.providerCallId || !this.calls.has(attempt.providerCallId)) {
      return null;
    }
    const outcome = this.calls.get(attempt.providerCallId);
    return outcome
      ? { providerCallId: attempt.providerCallId, outcome }
      : { providerCallId: attempt.providerCallId };
  }
}

import { randomUUID } from 'node:crypto';
import {
  CALL_OUTCOMES,
  type CallOutcome,
  type CampaignDialer,
  type DialRequest,
  type DialResult,
} from './campaign-dialer.interface';

/** One `dial()` call seen by the simulated dialer. */
export interface SimulatedDial {
  callId: string;
  attempt: number;
  phone: string;
  /** When `dial()` was called. */
  at: Date;
  providerCallId: string;
  /** The outcome drawn for this dial (reported later with `asyncOutcomes`). */
  outcome: CallOutcome;
}

/** An outcome reported after `dial()` returned, with `asyncOutcomes`. */
export interface SimulatedOutcomeReport {
  callId: string;
  attempt: number;
  providerCallId: string;
  outcome: CallOutcome;
}

export interface SimulatedDialerOptions {
  /** Simulated call length: fixed, or uniform in `[min, max]`. Default 0. */
  latencyMs?: number | [min: number, max: number];
  /**
   * Relative weights of the outcomes drawn. Default: answered 70, no_answer
   * 20, busy 10.
   */
  outcomes?: Partial<Record<CallOutcome, number>>;
  /** A number in [0, 1), `Math.random` by default; inject for determinism. */
  random?: () => number;
  /**
   * If true, `dial()` answers at once with only `providerCallId`, and the
   * outcome is passed to `reportOutcome` after the latency (as a telephony
   * webhook would, e.g. to `CallOutcomeService.report`).
   */
  asyncOutcomes?: boolean;
  /** Required with `asyncOutcomes`. Errors it throws or rejects are ignored. */
  reportOutcome?: (report: SimulatedOutcomeReport) => unknown;
}

const DEFAULT_OUTCOME_WEIGHTS: Partial<Record<CallOutcome, number>> = {
  answered: 70,
  no_answer: 20,
  busy: 10,
};

/**
 * A dialer that calls nobody: it waits, draws an outcome from weights, and
 * logs every dial in `dials` so tests can check each attempt was dialed once.
 * For the sample-app and tests.
 */
export class SimulatedDialer implements CampaignDialer {
  readonly #log: SimulatedDial[] = [];
  readonly #latency: [number, number];
  readonly #weights: [CallOutcome, number][];
  readonly #totalWeight: number;
  readonly #random: () => number;
  readonly #asyncOutcomes: boolean;
  readonly #reportOutcome?: (report: SimulatedOutcomeReport) => unknown;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(options: SimulatedDialerOptions = {}) {
    this.#latency = parseLatency(options.latencyMs ?? 0);
    this.#weights = parseWeights(options.outcomes ?? DEFAULT_OUTCOME_WEIGHTS);
    this.#totalWeight = this.#weights.reduce((sum, [, w]) => sum + w, 0);
    this.#random = options.random ?? Math.random;
    this.#asyncOutcomes = options.asyncOutcomes ?? false;
    this.#reportOutcome = options.reportOutcome;
    if (this.#asyncOutcomes && !this.#reportOutcome) {
      throw new Error('SimulatedDialer: asyncOutcomes needs reportOutcome');
    }
  }

  /** Every dial so far, in call order. */
  get dials(): readonly Readonly<SimulatedDial>[] {
    return this.#log;
  }

  async dial(request: DialRequest): Promise<DialResult> {
    const providerCallId = `sim-${randomUUID()}`;
    const outcome = this.#drawOutcome();
    this.#log.push({
      callId: request.callId,
      attempt: request.attempt,
      phone: request.phone,
      at: new Date(),
      providerCallId,
      outcome,
    });
    const latency = this.#drawLatency();

    if (this.#asyncOutcomes) {
      const report = this.#reportOutcome!;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        Promise.resolve()
          .then(() =>
            report({
              callId: request.callId,
              attempt: request.attempt,
              providerCallId,
              outcome,
            }),
          )
          .catch(() => undefined);
      }, latency);
      timer.unref();
      this.#timers.add(timer);
      return { providerCallId };
    }

    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    return { providerCallId, outcome };
  }

  /** Drops outcome reports not yet sent (with `asyncOutcomes`), e.g. on shutdown. */
  cancelPendingReports(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #drawOutcome(): CallOutcome {
    let r = this.#random() * this.#totalWeight;
    for (const [outcome, weight] of this.#weights) {
      if (r < weight) return outcome;
      r -= weight;
    }
    return this.#weights[this.#weights.length - 1][0];
  }

  #drawLatency(): number {
    const [min, max] = this.#latency;
    return min === max ? min : min + this.#random() * (max - min);
  }
}

function parseLatency(latency: number | [number, number]): [number, number] {
  const [min, max] = typeof latency === 'number' ? [latency, latency] : latency;
  if (!(
    Number.isFinite(min) &&
    Number.isFinite(max) &&
    0 <= min &&
    min <= max
  )) {
    throw new Error(
      `SimulatedDialer: latencyMs must be a number >= 0 or [min, max] with 0 <= min <= max, got ${JSON.stringify(latency)}`,
    );
  }
  return [min, max];
}

function parseWeights(
  weights: Partial<Record<CallOutcome, number>>,
): [CallOutcome, number][] {
  for (const [key, weight] of Object.entries(weights)) {
    if (!(CALL_OUTCOMES as readonly string[]).includes(key)) {
      throw new Error(`SimulatedDialer: unknown outcome "${key}"`);
    }
    if (!(
      typeof weight === 'number' &&
      Number.isFinite(weight) &&
      weight >= 0
    )) {
      throw new Error(
        `SimulatedDialer: weight of "${key}" must be a finite number >= 0`,
      );
    }
  }
  // CALL_OUTCOMES order, so a given `random` always draws the same outcome.
  const list = CALL_OUTCOMES.filter((o) => (weights[o] ?? 0) > 0).map(
    (o): [CallOutcome, number] => [o, weights[o]!],
  );
  if (list.length === 0) {
    throw new Error('SimulatedDialer: at least one outcome weight must be > 0');
  }
  return list;
}

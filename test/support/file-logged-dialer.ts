import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CallOutcome,
  CampaignDialer,
  DialRequest,
  DialResult,
} from '../../lib';

/** What a dial ended with: an outcome, or the dialer threw (recorded as `failed`). */
export type LoggedOutcome = CallOutcome | 'throw';

/** One line of a dialer's own log: one per `dial()` call, written before it returns. */
export interface DialLogLine {
  callId: string;
  attempt: number;
  replica: string;
  outcome: LoggedOutcome;
  phone: string;
  /** Real epoch ms when the dial began, and how long it lasts. */
  startedAt: number;
  latencyMs: number;
}

/** Mixed outcomes: finals, retried ones, voicemail and provider errors. */
export const MIXED_OUTCOMES: Readonly<Record<LoggedOutcome, number>> = {
  answered: 40,
  completed: 3,
  no_answer: 25,
  busy: 10,
  failed: 5,
  voicemail: 5,
  invalid_number: 5,
  opted_out: 5,
  interrupted: 0,
  throw: 2,
};

export interface FileLoggedDialerOptions {
  replica: string;
  logFile: string;
  /** Uniform in [min, max] real milliseconds. */
  latencyMs: [number, number];
  outcomes?: Readonly<Partial<Record<LoggedOutcome, number>>>;
}

/**
 * A SimulatedDialer-like dialer for replica processes: draws an outcome,
 * appends `{callId, attempt, replica, outcome}` to its log file
 * (synchronously, before anything else happens), waits, and answers.
 */
export class FileLoggedDialer implements CampaignDialer {
  private readonly weights: [LoggedOutcome, number][];
  private readonly total: number;

  constructor(private readonly options: FileLoggedDialerOptions) {
    this.weights = Object.entries(options.outcomes ?? MIXED_OUTCOMES).filter(
      ([, w]) => (w ?? 0) > 0,
    ) as [LoggedOutcome, number][];
    this.total = this.weights.reduce((sum, [, w]) => sum + w, 0);
  }

  async dial(request: DialRequest): Promise<DialResult> {
    const outcome = this.draw();
    const [min, max] = this.options.latencyMs;
    const latencyMs = min + Math.random() * (max - min);
    const line: DialLogLine = {
      callId: request.callId,
      attempt: request.attempt,
      replica: this.options.replica,
      outcome,
      phone: request.phone,
      startedAt: Date.now(),
      latencyMs,
    };
    appendFileSync(this.options.logFile, `${JSON.stringify(line)}\n`);
    await sleep(latencyMs);
    if (outcome === 'throw') throw new Error('simulated provider error');
    return {
      providerCallId: `${this.options.replica}:${request.callId}:${request.attempt}`,
      outcome,
    };
  }

  private draw(): LoggedOutcome {
    let r = Math.random() * this.total;
    for (const [outcome, weight] of this.weights) {
      if (r < weight) return outcome;
      r -= weight;
    }
    return this.weights[this.weights.length - 1][0];
  }
}

/** The lines of one dial log (none if the file does not exist). */
export function readDialLog(file: string): DialLogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as DialLogLine);
}

/** Lines in a dial log so far, cheaply (for polling). */
export function countDialLog(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    n++;
  }
  return n;
}

/** The outcome the loop must record for a dial that ended this way. */
export function recordedOutcome(outcome: LoggedOutcome): CallOutcome {
  return outcome === 'throw' ? 'failed' : outcome;
}

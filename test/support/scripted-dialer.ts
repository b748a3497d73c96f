import type {
  CallOutcome,
  CampaignDialer,
  DialRequest,
  DialResult,
} from '../../lib';

/** Stands in for a telephony provider: outcomes scripted per phone and attempt. */
export class ScriptedDialer implements CampaignDialer {
  readonly dials: DialRequest[] = [];
  private readonly hanging: (() => void)[] = [];

  /**
   * `script[phone][attempt - 1]`; 'hang' (or 'hang:<outcome>') answers only
   * when released, with `answered` (or that outcome); 'async' gives no outcome.
   */
  constructor(
    private readonly script: Record<
      string,
      (CallOutcome | 'hang' | `hang:${CallOutcome}` | 'async')[]
    >,
    private readonly fallback: CallOutcome = 'answered',
  ) {}

  async dial(request: DialRequest): Promise<DialResult> {
    this.dials.push(request);
    const step =
      this.script[request.phone]?.[request.attempt - 1] ?? this.fallback;
    if (step.startsWith('hang')) {
      await new Promise<void>((resolve) => this.hanging.push(resolve));
      const outcome = (step.split(':')[1] ?? 'answered') as CallOutcome;
      return { providerCallId: `hung-${request.callId}`, outcome };
    }
    if (step === 'async') return { providerCallId: `async-${request.callId}` };
    return {
      providerCallId: `p-${request.callId}-${request.attempt}`,
      outcome: step as CallOutcome,
    };
  }

  /** Lets every hanging dial return (late). */
  release(): void {
    this.hanging.splice(0).forEach((resolve) => resolve());
  }

  attemptsOf(phone: string): number[] {
    return this.dials.filter((d) => d.phone === phone).map((d) => d.attempt);
  }
}

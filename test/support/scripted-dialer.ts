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

  /** `script[phone][attempt - 1]`; 'hang' never answers until released; undefined: no outcome (async). */
  constructor(
    private readonly script: Record<string, (CallOutcome | 'hang' | 'async')[]>,
    private readonly fallback: CallOutcome = 'answered',
  ) {}

  async dial(request: DialRequest): Promise<DialResult> {
    this.dials.push(request);
    const step =
      this.script[request.phone]?.[request.attempt - 1] ?? this.fallback;
    if (step === 'hang') {
      await new Promise<void>((resolve) => this.hanging.push(resolve));
      return { providerCallId: `hung-${request.callId}`, outcome: 'answered' };
    }
    if (step === 'async') return { providerCallId: `async-${request.callId}` };
    return {
      providerCallId: `p-${request.callId}-${request.attempt}`,
      outcome: step,
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

import type { DialRequest } from '../../lib/dialer/campaign-dialer.interface';
import {
  SimulatedDialer,
  type SimulatedOutcomeReport,
} from '../../lib/dialer/simulated.dialer';

function request(callId: string, attempt = 1): DialRequest {
  return {
    callId,
    attempt,
    campaignId: 'campaign-1',
    accountId: 'account-1',
    playbookId: 'playbook-1',
    phone: '+34600000001',
    contact: {
      first_name: 'Ana',
      last_name: null,
      email: null,
      company: null,
      job_title: null,
      address: null,
      city: null,
      state: null,
      country: 'ES',
      postal_code: null,
      timezone: 'Europe/Madrid',
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      utm_term: null,
      utm_content: null,
      custom_fields: null,
    },
  };
}

/** A `random` that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('SimulatedDialer', () => {
  it('answers with a sim- provider call id and an outcome', async () => {
    const dialer = new SimulatedDialer({ random: () => 0 });
    const result = await dialer.dial(request('call-1'));
    expect(result.providerCallId).toMatch(
      /^sim-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(result.outcome).toBe('answered');
  });

  it('draws outcomes by weight (default: answered 70, no_answer 20, busy 10)', async () => {
    const dialer = new SimulatedDialer({
      random: sequence(0, 0.69, 0.7, 0.89, 0.9, 0.999),
    });
    const outcomes = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push((await dialer.dial(request(`call-${i}`))).outcome);
    }
    expect(outcomes).toEqual([
      'answered',
      'answered',
      'no_answer',
      'no_answer',
      'busy',
      'busy',
    ]);
  });

  it('uses custom weights', async () => {
    const dialer = new SimulatedDialer({
      outcomes: { voicemail: 1, invalid_number: 3 },
      random: sequence(0.1, 0.5),
    });
    // CALL_OUTCOMES order: voicemail [0, 0.25), invalid_number [0.25, 1).
    expect((await dialer.dial(request('a'))).outcome).toBe('voicemail');
    expect((await dialer.dial(request('b'))).outcome).toBe('invalid_number');
  });

  it('logs every dial once, in order', async () => {
    const dialer = new SimulatedDialer({ random: () => 0.5 });
    const before = Date.now();
    await Promise.all([
      dialer.dial(request('call-1', 1)),
      dialer.dial(request('call-2', 1)),
    ]);
    await dialer.dial(request('call-1', 2));
    expect(dialer.dials.map((d) => [d.callId, d.attempt, d.phone])).toEqual([
      ['call-1', 1, '+34600000001'],
      ['call-2', 1, '+34600000001'],
      ['call-1', 2, '+34600000001'],
    ]);
    for (const dial of dialer.dials) {
      expect(dial.at).toBeInstanceOf(Date);
      expect(dial.at.getTime()).toBeGreaterThanOrEqual(before);
      expect(dial.providerCallId).toMatch(/^sim-/);
    }
    const keys = dialer.dials.map((d) => `${d.callId}:${d.attempt}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('waits the configured latency', async () => {
    const dialer = new SimulatedDialer({ latencyMs: 60 });
    const started = Date.now();
    await dialer.dial(request('slow'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('draws a latency in [min, max]', async () => {
    // First draw: the outcome; second: the latency (0.5 → 40 ms of [20, 60]).
    const dialer = new SimulatedDialer({
      latencyMs: [20, 60],
      random: sequence(0, 0.5),
    });
    const started = Date.now();
    await dialer.dial(request('ranged'));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(35);
    expect(elapsed).toBeLessThan(1000);
  });

  it('with asyncOutcomes, answers at once and reports the outcome later', async () => {
    const reports: SimulatedOutcomeReport[] = [];
    let reported!: () => void;
    const done = new Promise<void>((resolve) => (reported = resolve));
    const dialer = new SimulatedDialer({
      asyncOutcomes: true,
      latencyMs: 30,
      outcomes: { busy: 1 },
      reportOutcome: (report) => {
        reports.push(report);
        reported();
      },
    });
    const result = await dialer.dial(request('call-9', 2));
    expect(result.outcome).toBeUndefined();
    expect(result.providerCallId).toMatch(/^sim-/);
    expect(reports).toEqual([]);
    await done;
    expect(reports).toEqual([
      {
        callId: 'call-9',
        attempt: 2,
        providerCallId: result.providerCallId,
        outcome: 'busy',
      },
    ]);
    expect(dialer.dials).toHaveLength(1);
  });

  it('cancelPendingReports drops reports not yet sent', async () => {
    const reportOutcome = jest.fn();
    const dialer = new SimulatedDialer({
      asyncOutcomes: true,
      latencyMs: 20,
      reportOutcome,
    });
    await dialer.dial(request('call-1'));
    dialer.cancelPendingReports();
    await new Promise((r) => setTimeout(r, 50));
    expect(reportOutcome).not.toHaveBeenCalled();
  });

  it('ignores errors thrown by reportOutcome', async () => {
    let called!: () => void;
    const done = new Promise<void>((resolve) => (called = resolve));
    const dialer = new SimulatedDialer({
      asyncOutcomes: true,
      reportOutcome: () => {
        called();
        return Promise.reject(new Error('webhook down'));
      },
    });
    await dialer.dial(request('call-1'));
    await done;
    await new Promise((r) => setImmediate(r));
  });

  it('rejects bad options', () => {
    expect(() => new SimulatedDialer({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => new SimulatedDialer({ latencyMs: [50, 10] })).toThrow(
      /latencyMs/,
    );
    expect(() => new SimulatedDialer({ outcomes: {} })).toThrow(/at least one/);
    expect(() => new SimulatedDialer({ outcomes: { busy: -1 } })).toThrow(
      /weight of "busy"/,
    );
    expect(
      () =>
        new SimulatedDialer({
          outcomes: { ringing: 1 } as unknown as Record<string, number>,
        }),
    ).toThrow(/unknown outcome "ringing"/);
    expect(() => new SimulatedDialer({ asyncOutcomes: true })).toThrow(
      /reportOutcome/,
    );
  });
});

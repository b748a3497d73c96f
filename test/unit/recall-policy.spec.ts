import {
  CALL_OUTCOMES,
  type CallOutcome,
} from '../../lib/dialer/campaign-dialer.interface';
import { CALL_STATUSES } from '../../lib/entities/campaign-status';
import {
  DEFAULT_RETRIED_OUTCOMES,
  FINAL_OUTCOMES,
  isRetriedOutcome,
  maxAttempts,
  nextCallState,
  type NextCallStateInput,
} from '../../lib/scheduler/recall-policy';

const FIRST = new Date('2025-06-02T10:00:00.000Z');
const minutesAfterFirst = (minutes: number) =>
  new Date(FIRST.getTime() + minutes * 60_000);

function state(overrides: Partial<NextCallStateInput>) {
  return nextCallState({
    outcome: 'no_answer',
    attemptNumber: 1,
    recall: [30, 120],
    firstAttemptAt: FIRST,
    now: minutesAfterFirst(1),
    retryVoicemail: false,
    ...overrides,
  });
}

describe('outcome lists', () => {
  it('every outcome is either final, retried by default, or voicemail', () => {
    const covered = [
      ...FINAL_OUTCOMES,
      ...DEFAULT_RETRIED_OUTCOMES,
      'voicemail',
    ];
    expect([...covered].sort()).toEqual([...CALL_OUTCOMES].sort());
  });

  it('maxAttempts is 1 + recall.length', () => {
    expect(maxAttempts([])).toBe(1);
    expect(maxAttempts([30, 120])).toBe(3);
  });

  it('isRetriedOutcome follows the voicemail flag', () => {
    expect(isRetriedOutcome('busy', false)).toBe(true);
    expect(isRetriedOutcome('voicemail', false)).toBe(false);
    expect(isRetriedOutcome('voicemail', true)).toBe(true);
    expect(isRetriedOutcome('answered', true)).toBe(false);
  });
});

describe('nextCallState: outcome → next state (first attempt, recall [30,120])', () => {
  it.each<[CallOutcome, boolean, object]>([
    ['answered', false, { status: 'answered' }],
    ['completed', false, { status: 'completed' }],
    ['invalid_number', false, { status: 'invalid_number' }],
    ['opted_out', false, { status: 'opted_out' }],
    ['voicemail', false, { status: 'completed' }],
    [
      'no_answer',
      false,
      { status: 'retry_pending', dueAt: minutesAfterFirst(30) },
    ],
    ['busy', false, { status: 'retry_pending', dueAt: minutesAfterFirst(30) }],
    [
      'failed',
      false,
      { status: 'retry_pending', dueAt: minutesAfterFirst(30) },
    ],
    [
      'interrupted',
      false,
      { status: 'retry_pending', dueAt: minutesAfterFirst(30) },
    ],
    [
      'voicemail',
      true,
      { status: 'retry_pending', dueAt: minutesAfterFirst(30) },
    ],
    // Final outcomes stay final with retryVoicemail too.
    ['answered', true, { status: 'answered' }],
    ['opted_out', true, { status: 'opted_out' }],
  ])('%s (retryVoicemail %p) → %o', (outcome, retryVoicemail, expected) => {
    expect(state({ outcome, retryVoicemail })).toEqual(expected);
  });

  it('every final status is a CALL_STATUSES name', () => {
    for (const outcome of CALL_OUTCOMES) {
      for (const attemptNumber of [1, 3]) {
        const { status } = state({ outcome, attemptNumber });
        expect(CALL_STATUSES).toContain(status);
      }
    }
  });
});

describe('nextCallState: due times', () => {
  it('counts delays from the start of the first attempt', () => {
    // Attempt 1 ended 5 min after it started: attempt 2 at first + 30 min.
    expect(state({ attemptNumber: 1, now: minutesAfterFirst(5) })).toEqual({
      status: 'retry_pending',
      dueAt: minutesAfterFirst(30),
    });
    // Attempt 2 ended at first + 32 min: attempt 3 at first + 120 min.
    expect(state({ attemptNumber: 2, now: minutesAfterFirst(32) })).toEqual({
      status: 'retry_pending',
      dueAt: minutesAfterFirst(120),
    });
  });

  it('a due time already passed becomes now', () => {
    const now = minutesAfterFirst(45);
    expect(state({ attemptNumber: 1, now })).toEqual({
      status: 'retry_pending',
      dueAt: now,
    });
    // Attempt 2 ran late (window, backlog) and ended at first + 200 min.
    const later = minutesAfterFirst(200);
    expect(state({ attemptNumber: 2, now: later })).toEqual({
      status: 'retry_pending',
      dueAt: later,
    });
  });

  it('returns a fresh Date, not the caller’s now', () => {
    const now = minutesAfterFirst(45);
    const result = state({ now });
    expect(result).toEqual({ status: 'retry_pending', dueAt: now });
    expect((result as { dueAt: Date }).dueAt).not.toBe(now);
  });
});

describe('nextCallState: exhaustion', () => {
  it.each<CallOutcome>(['no_answer', 'busy', 'failed', 'interrupted'])(
    '%s on the last of 3 attempts → failed',
    (outcome) => {
      expect(state({ outcome, attemptNumber: 3 })).toEqual({
        status: 'failed',
      });
    },
  );

  it('voicemail on the last attempt: failed if retried, completed if not', () => {
    expect(
      state({ outcome: 'voicemail', attemptNumber: 3, retryVoicemail: true }),
    ).toEqual({ status: 'failed' });
    expect(
      state({ outcome: 'voicemail', attemptNumber: 3, retryVoicemail: false }),
    ).toEqual({ status: 'completed' });
  });

  it('a final outcome on the last attempt keeps its status', () => {
    expect(state({ outcome: 'answered', attemptNumber: 3 })).toEqual({
      status: 'answered',
    });
  });

  it('recall [] means a single attempt', () => {
    expect(state({ outcome: 'busy', attemptNumber: 1, recall: [] })).toEqual({
      status: 'failed',
    });
  });

  it('an attempt number past the policy is exhausted too', () => {
    expect(state({ outcome: 'busy', attemptNumber: 7 })).toEqual({
      status: 'failed',
    });
  });

  it('rejects an attempt number below 1 or not an integer', () => {
    expect(() => state({ attemptNumber: 0 })).toThrow(RangeError);
    expect(() => state({ attemptNumber: 1.5 })).toThrow(RangeError);
  });
});

import {
  CALL_OUTCOMES,
  CALL_STATUS_TRANSITIONS,
  CALL_STATUSES,
  FINAL_CALL_STATUSES,
  nextCallState,
  OPEN_CALL_STATUSES,
  WAITING_CALL_STATUSES,
} from '../../lib';

describe('call statuses', () => {
  it('open and final statuses split the list; only final ones have no way out', () => {
    expect([...OPEN_CALL_STATUSES, ...FINAL_CALL_STATUSES].sort()).toEqual(
      [...CALL_STATUSES].sort(),
    );
    for (const status of CALL_STATUSES) {
      expect(CALL_STATUS_TRANSITIONS[status].length === 0).toBe(
        FINAL_CALL_STATUSES.includes(status),
      );
    }
    for (const status of WAITING_CALL_STATUSES) {
      expect(CALL_STATUS_TRANSITIONS[status]).toContain('dialing');
    }
  });

  it('every status the recall policy gives after an attempt is a transition from dialing', () => {
    for (const outcome of CALL_OUTCOMES) {
      for (const [attemptNumber, recall] of [
        [1, []],
        [1, [30]],
        [2, [30]],
      ] as const) {
        for (const retryVoicemail of [false, true]) {
          const next = nextCallState({
            outcome,
            attemptNumber,
            recall,
            firstAttemptAt: new Date('2026-12-01T10:00:00Z'),
            now: new Date('2026-12-01T10:05:00Z'),
            retryVoicemail,
          });
          expect(CALL_STATUS_TRANSITIONS.dialing).toContain(next.status);
        }
      }
    }
  });
});

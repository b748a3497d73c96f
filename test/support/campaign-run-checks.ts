/**
 * End-of-run checks shared by the replica and fault tests: the database
 * after a dialing run, checked against the dialers' own logs.
 */
import type { CallOutcome } from '../../lib';

/** Runs one SQL query and returns its rows (a DataSource or a pg Client). */
export type RowQuery = (sql: string, params?: unknown[]) => Promise<unknown[]>;

export const OPEN_CALL_STATUSES = ['queued', 'retry_pending', 'dialing'];
const FINAL_CALL_STATUSES = [
  'answered',
  'completed',
  'failed',
  'invalid_number',
  'opted_out',
];
/** SPEC §4: retried outcomes (voicemail is final unless configured). */
const RETRIED: readonly string[] = [
  'no_answer',
  'busy',
  'failed',
  'interrupted',
];
const MINUTE = 60_000;

export interface CallRow {
  id: string;
  campaign_id: string;
  status: string;
  attempt_count: number;
  recall: number[];
  first_attempt_at: Date | null;
  due_at: Date;
  last_outcome: string | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
}

export interface AttemptRow {
  call_id: string;
  attempt_number: number;
  started_at: Date;
  ended_at: Date | null;
  outcome: string | null;
  details: Record<string, unknown> | null;
}

export interface CampaignRow {
  id: string;
  status: string;
  completed_at: Date | null;
}

export interface RunSnapshot {
  campaigns: CampaignRow[];
  calls: CallRow[];
  attempts: AttemptRow[];
}

/** One dial as the dialer logged it, with the outcome the loop must record. */
export interface DialRecord {
  callId: string;
  attempt: number;
  /** Replica (or dialer) that placed it. */
  by: string;
  outcome: CallOutcome;
}

export async function snapshot(query: RowQuery): Promise<RunSnapshot> {
  const campaigns = (await query(
    'SELECT id, status, completed_at FROM campaigns',
  )) as CampaignRow[];
  const calls = (
    (await query(
      `SELECT id, campaign_id, status, attempt_count, recall, first_attempt_at, due_at,
        last_outcome, lease_owner, lease_expires_at FROM campaign_calls`,
    )) as CallRow[]
  ).map((c) => ({ ...c, attempt_count: Number(c.attempt_count) }));
  const attempts = (
    (await query(
      `SELECT call_id, attempt_number, started_at, ended_at, outcome, details
      FROM campaign_call_attempts ORDER BY call_id, attempt_number`,
    )) as AttemptRow[]
  ).map((a) => ({ ...a, attempt_number: Number(a.attempt_number) }));
  return { campaigns, calls, attempts };
}

/** Open calls and unfinished campaigns, for polling until a run is over. */
export async function progress(query: RowQuery): Promise<{
  open: number;
  unfinished: number;
  byStatus: Record<string, number>;
}> {
  const rows = (await query(
    'SELECT status, COUNT(*) AS n FROM campaign_calls GROUP BY status',
  )) as { status: string; n: string }[];
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const open = OPEN_CALL_STATUSES.reduce((n, s) => n + (byStatus[s] ?? 0), 0);
  const [c] = (await query(
    `SELECT COUNT(*) AS n FROM campaigns WHERE status <> 'completed'`,
  )) as { n: string }[];
  return { open, unfinished: Number(c.n), byStatus };
}

/** Polls `done` until it is true; throws with `describe()` after `timeoutMs`. */
export async function waitUntil(
  done: () => Promise<boolean>,
  {
    timeoutMs,
    intervalMs = 100,
    describe = async () => '',
  }: {
    timeoutMs: number;
    intervalMs?: number;
    describe?: () => Promise<string> | string;
  },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface RunCheckOptions {
  /**
   * Whether this dial may have ended `interrupted` instead of its own outcome
   * (its replica died, or its result could not be written before its lease
   * expired). Default: never.
   */
  mayBeInterrupted?: (dial: DialRecord) => boolean;
  /**
   * Whether an attempt may exist that no dialer logged (recorded as started,
   * then the process died or lost the claim's answer before dialing). It must
   * have ended `interrupted`. Default false.
   */
  allowUndialedAttempts?: boolean;
}

export interface RunStats {
  dials: number;
  attempts: number;
  calls: number;
  dialsBy: Record<string, number>;
  interrupted: number;
  /** Attempts no dialer logged (ended interrupted). */
  undialed: number;
  /** Calls with more than one attempt. */
  retried: number;
  maxAttemptsSeen: number;
  outcomes: Record<string, number>;
}

const key = (callId: string, attempt: number): string => `${callId}#${attempt}`;
const ms = (d: Date | null | undefined): number | null =>
  d == null ? null : new Date(d).getTime();

/**
 * Everything a finished run must satisfy. Returns the problems found (empty
 * when all is well; at most 30 listed) and some counts.
 */
export function checkFinishedRun(
  snap: RunSnapshot,
  dials: DialRecord[],
  options: RunCheckOptions = {},
): { problems: string[]; stats: RunStats } {
  const problems: string[] = [];
  const problem = (message: string) => {
    if (problems.length < 30) problems.push(message);
    else if (problems.length === 30) problems.push('… more problems');
  };
  const stats: RunStats = {
    dials: dials.length,
    attempts: snap.attempts.length,
    calls: snap.calls.length,
    dialsBy: {},
    interrupted: 0,
    undialed: 0,
    retried: 0,
    maxAttemptsSeen: 0,
    outcomes: {},
  };

  for (const c of snap.campaigns) {
    if (c.status !== 'completed' || c.completed_at == null) {
      problem(
        `campaign ${c.id} is ${c.status}, completed_at ${String(c.completed_at)}`,
      );
    }
  }

  // The dialers' logs: every (call, attempt) dialed at most once.
  const dialed = new Map<string, DialRecord>();
  for (const d of dials) {
    stats.dialsBy[d.by] = (stats.dialsBy[d.by] ?? 0) + 1;
    const k = key(d.callId, d.attempt);
    const seen = dialed.get(k);
    if (seen) {
      problem(
        `call ${d.callId} attempt ${d.attempt} dialed twice (by ${seen.by} and ${d.by})`,
      );
    }
    dialed.set(k, d);
  }

  // The attempts table against the logs.
  const attemptsByCall = new Map<string, AttemptRow[]>();
  const recorded = new Set<string>();
  for (const a of snap.attempts) {
    const list = attemptsByCall.get(a.call_id) ?? [];
    list.push(a);
    attemptsByCall.set(a.call_id, list);
    const k = key(a.call_id, a.attempt_number);
    recorded.add(k);
    stats.outcomes[a.outcome ?? 'null'] =
      (stats.outcomes[a.outcome ?? 'null'] ?? 0) + 1;
    if (a.outcome === 'interrupted') stats.interrupted++;
    if (a.ended_at == null || a.outcome == null) {
      problem(
        `attempt ${k} is still open (ended_at ${String(a.ended_at)}, outcome ${a.outcome})`,
      );
      continue;
    }
    const d = dialed.get(k);
    if (!d) {
      stats.undialed++;
      if (!(options.allowUndialedAttempts && a.outcome === 'interrupted')) {
        problem(
          `attempt ${k} (${a.outcome}) is in the table but no dialer dialed it`,
        );
      }
      continue;
    }
    if (a.outcome !== d.outcome) {
      const excused =
        a.outcome === 'interrupted' && (options.mayBeInterrupted?.(d) ?? false);
      if (!excused) {
        problem(
          `attempt ${k} recorded ${a.outcome}, but ${d.by} dialed it and got ${d.outcome}`,
        );
      }
    }
  }
  for (const d of dials) {
    if (!recorded.has(key(d.callId, d.attempt))) {
      problem(
        `${d.by} dialed call ${d.callId} attempt ${d.attempt}, which has no attempt row`,
      );
    }
  }

  // Each call: final, no lease, attempts 1..n, the recall policy followed.
  for (const call of snap.calls) {
    const atts = attemptsByCall.get(call.id) ?? [];
    const n = atts.length;
    stats.maxAttemptsSeen = Math.max(stats.maxAttemptsSeen, n);
    if (n > 1) stats.retried++;
    const where = `call ${call.id} (recall ${JSON.stringify(call.recall)})`;
    if (!FINAL_CALL_STATUSES.includes(call.status)) {
      problem(`${where} ended ${call.status}`);
    }
    if (call.lease_owner !== null || call.lease_expires_at !== null) {
      problem(
        `${where} still has a lease (${call.lease_owner}, ${String(call.lease_expires_at)})`,
      );
    }
    if (n === 0) {
      problem(`${where} has no attempt`);
      continue;
    }
    if (call.attempt_count !== n) {
      problem(
        `${where} attempt_count ${call.attempt_count} but ${n} attempt rows`,
      );
    }
    atts.forEach((a, i) => {
      if (a.attempt_number !== i + 1) {
        problem(
          `${where} attempt numbers ${atts.map((x) => x.attempt_number).join(',')}`,
        );
      }
    });
    if (n > 1 + call.recall.length) {
      problem(`${where} has ${n} attempts, more than 1 + recall.length`);
    }
    const first = ms(atts[0].started_at)!;
    if (ms(call.first_attempt_at) !== first) {
      problem(
        `${where} first_attempt_at ${String(call.first_attempt_at)} is not attempt 1's start`,
      );
    }
    // Every attempt but the last ended with a retried outcome, and the next
    // one started no earlier than the recall policy allowed: first start +
    // recall[k-1] minutes, or the end of attempt k if that was later.
    let lastDue: number | null = null;
    for (let k = 1; k < n; k++) {
      const a = atts[k - 1];
      if (!RETRIED.includes(a.outcome ?? '')) {
        problem(
          `${where} attempt ${k} ended ${a.outcome} (final) yet attempt ${k + 1} followed`,
        );
      }
      const delay = call.recall[k - 1];
      const due = Math.max(
        first + (delay ?? NaN) * MINUTE,
        ms(a.ended_at) ?? NaN,
      );
      if (!(ms(atts[k].started_at)! >= due)) {
        problem(
          `${where} attempt ${k + 1} started ${new Date(ms(atts[k].started_at)!).toISOString()}, before its due time ${new Date(due).toISOString()}`,
        );
      }
      lastDue = due;
    }
    if (lastDue !== null && ms(call.due_at) !== lastDue) {
      problem(
        `${where} due_at ${new Date(ms(call.due_at)!).toISOString()}, expected ${new Date(lastDue).toISOString()} (first start + delay, or the end of the previous attempt if later)`,
      );
    }
    const last = atts[n - 1].outcome ?? '';
    if (call.last_outcome !== last) {
      problem(
        `${where} last_outcome ${call.last_outcome}, last attempt ${last}`,
      );
    }
    const expected = RETRIED.includes(last)
      ? n >= 1 + call.recall.length
        ? 'failed'
        : 'retry_pending'
      : last === 'voicemail'
        ? 'completed'
        : last;
    if (call.status !== expected) {
      problem(
        `${where} is ${call.status} after ${n} attempts ending ${last}; expected ${expected}`,
      );
    }
  }
  const callIds = new Set(snap.calls.map((c) => c.id));
  for (const callId of attemptsByCall.keys()) {
    if (!callIds.has(callId)) {
      problem(`attempts of unknown call ${callId}`);
    }
  }
  return { problems, stats };
}

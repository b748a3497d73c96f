/**
 * Database work of a run from PostgreSQL's own counters (pg_stat_database
 * of the run's database): transactions and rows written, whatever SQL the
 * system sends. A backend reports its counters when it exits (and when idle
 * at most once a second), so read them after every client of the run has
 * disconnected.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from './database';

export interface PgCounters {
  xacts: number;
  rows: number;
}

export async function pgCounters(url: string): Promise<PgCounters> {
  await sleep(250);
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ xacts: string; rows: string }>(
      `SELECT xact_commit + xact_rollback AS xacts,
              tup_inserted + tup_updated + tup_deleted AS rows
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    return { xacts: Number(rows[0].xacts), rows: Number(rows[0].rows) };
  });
}

/** Polls `sql` (a count) every 20 ms until it reads 0; returns when, and how many polls ran. */
export async function waitForZero(
  url: string,
  sql: string,
  timeoutMs: number,
): Promise<{ doneAt: number; polls: number } | null> {
  return withClient(url, async (client) => {
    const deadline = Date.now() + timeoutMs;
    let polls = 0;
    while (Date.now() < deadline) {
      polls++;
      const { rows } = await client.query<{ n: string }>(sql);
      if (Number(rows[0].n) === 0) {
        return { doneAt: performance.timeOrigin + performance.now(), polls };
      }
      await sleep(20);
    }
    return null;
  });
}

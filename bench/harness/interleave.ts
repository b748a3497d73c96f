/**
 * Interleaved repetition: for rep in 1..REPS, for system in systems, run.
 * The order rotates every rep so that no system always runs first (cold
 * caches) or last (a warm, busy machine). A run that throws is recorded as
 * a failure of that system and the others go on.
 */
import { log } from './env';

export interface System<R> {
  name: string;
  run(rep: number): Promise<R>;
}

export interface Outcome<R> {
  name: string;
  results: R[];
  failures: string[];
}

export async function interleaved<R>(
  systems: System<R>[],
  reps: number,
): Promise<Outcome<R>[]> {
  const outcomes = systems.map((s) => ({
    name: s.name,
    results: [] as R[],
    failures: [] as string[],
  }));
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < systems.length; k++) {
      const i = (k + rep) % systems.length;
      log(`- rep ${rep + 1}/${reps}: ${systems[i].name}`);
      try {
        outcomes[i].results.push(await systems[i].run(rep));
      } catch (error) {
        const message = (error as Error).message;
        log(`  failed: ${message}`);
        outcomes[i].failures.push(message);
      }
    }
  }
  return outcomes;
}

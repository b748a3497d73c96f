/**
 * Jest globalTeardown: stops the embedded PostgreSQL started by
 * global-setup.ts (if any) and removes its data directory.
 */
import { rm } from 'node:fs/promises';
import {
  EMBEDDED_PG_GLOBAL,
  type EmbeddedPostgresHandle,
} from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  const handle = globals[EMBEDDED_PG_GLOBAL] as
    EmbeddedPostgresHandle | undefined;
  if (!handle) return;
  delete globals[EMBEDDED_PG_GLOBAL];
  try {
    await handle.server.stop();
  } finally {
    // stop() already deletes it (persistent: false); make sure anyway.
    await rm(handle.dataDir, { recursive: true, force: true });
  }
}

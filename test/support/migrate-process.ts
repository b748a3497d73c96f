import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

/** What migrate-main.ts is started with, as JSON in CC_MIGRATE_CONFIG. */
export interface MigrateConfig {
  name: string;
  databaseUrl: string;
}

export const MIGRATE_CONFIG_ENV = 'CC_MIGRATE_CONFIG';

/** IPC messages: child `loaded` then `booted`; parent `go`. */
export type MigrateMessage =
  | { type: 'loaded'; name: string }
  | { type: 'go' }
  | { type: 'booted'; name: string };

export interface MigrateExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Its stdout and stderr. */
  output: string;
}

const REPO_ROOT = resolve(__dirname, '..', '..');
const ENTRY = join(__dirname, 'migrate-main.ts');
const REGISTER = join(REPO_ROOT, 'scripts', 'swc-register.cjs');

/**
 * Forks one migrate-main.ts per name, waits until every one has loaded its
 * code, then tells them all to boot at once, and resolves with how each
 * exited. A child that is still running after `timeoutMs` is killed.
 */
export async function bootReplicasTogether(
  databaseUrl: string,
  names: readonly string[],
  timeoutMs = 90_000,
): Promise<MigrateExit[]> {
  const children = names.map((name) => {
    const config: MigrateConfig = { name, databaseUrl };
    const child = fork(ENTRY, [], {
      cwd: REPO_ROOT,
      execArgv: ['-r', REGISTER],
      env: { ...process.env, [MIGRATE_CONFIG_ENV]: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    return { name, child, ...watch(name, child) };
  });
  const timer = setTimeout(() => {
    for (const { child } of children) child.kill('SIGKILL');
  }, timeoutMs);
  try {
    // The barrier: nobody boots before all are ready to.
    await Promise.all(children.map((c) => c.loaded));
    for (const { child } of children) child.send({ type: 'go' });
    return await Promise.all(children.map((c) => c.exited));
  } finally {
    clearTimeout(timer);
    for (const { child } of children) child.kill('SIGKILL');
  }
}

function watch(
  name: string,
  child: ChildProcess,
): { loaded: Promise<void>; exited: Promise<MigrateExit> } {
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // An IPC write to a dead child must not crash the test.
  child.on('error', () => undefined);
  const exited = new Promise<MigrateExit>((done) => {
    // 'close', not 'exit': after the output streams have ended.
    child.once('close', (code, signal) => done({ name, code, signal, output }));
  });
  const loaded = new Promise<void>((ready, fail) => {
    child.on('message', (m: MigrateMessage) => {
      if (m.type === 'loaded') ready();
    });
    void exited.then((exit) =>
      fail(
        new Error(
          `${name} exited before loading (${exit.code ?? exit.signal}):\n${exit.output}`,
        ),
      ),
    );
  });
  return { loaded, exited };
}

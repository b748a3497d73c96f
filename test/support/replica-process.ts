import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import {
  REPLICA_CONFIG_ENV,
  type ReplicaConfig,
  type ReplicaMessage,
} from './replica-config';

const REPO_ROOT = resolve(__dirname, '..', '..');
const ENTRY = join(__dirname, 'replica-main.ts');
const REGISTER = join(__dirname, '..', '..', 'scripts', 'swc-register.cjs');
const OUTPUT_TAIL = 64 * 1024;

export interface ReplicaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A replica-main.ts child process, from the parent (test) side. */
export class ReplicaProcess {
  readonly exited: Promise<ReplicaExit>;
  private exit: ReplicaExit | null = null;
  private tail = '';
  private closedMessage = false;
  private closeError: string | null = null;

  private constructor(
    readonly config: ReplicaConfig,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (m: ReplicaMessage) => {
      if (m.type === 'closed') this.closedMessage = true;
      if (m.type === 'close-failed') this.closeError = m.error;
    });
    // An IPC write to a dead child must not crash the test.
    child.on('error', () => undefined);
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        done(this.exit);
      });
    });
  }

  get id(): string {
    return this.config.replicaId;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === null;
  }

  /** The last 64 KiB of its stdout and stderr, for failure messages. */
  get output(): string {
    return this.tail;
  }

  /** Forks the replica and waits for its `ready` message. */
  static async start(
    config: ReplicaConfig,
    readyTimeoutMs = 60_000,
  ): Promise<ReplicaProcess> {
    const child = fork(ENTRY, [], {
      cwd: REPO_ROOT,
      execArgv: ['-r', REGISTER],
      env: { ...process.env, [REPLICA_CONFIG_ENV]: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const replica = new ReplicaProcess(config, child);
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => {
        fail(
          new Error(
            `replica ${config.replicaId} not ready after ${readyTimeoutMs} ms:\n${replica.output}`,
          ),
        );
      }, readyTimeoutMs);
      child.on('message', (m: ReplicaMessage) => {
        if (m.type !== 'ready') return;
        clearTimeout(timer);
        ready();
      });
      void replica.exited.then((exit) => {
        clearTimeout(timer);
        fail(
          new Error(
            `replica ${config.replicaId} exited before ready (${JSON.stringify(exit)}):\n${replica.output}`,
          ),
        );
      });
    }).catch(async (error: unknown) => {
      await replica.kill();
      throw error;
    });
    return replica;
  }

  /**
   * SIGTERM: graceful shutdown. Resolves with how it exited, whether it
   * reported a completed `app.close()`, and any close error; kills it if it
   * has not exited after `timeoutMs`.
   */
  async stop(timeoutMs = 20_000): Promise<
    ReplicaExit & {
      closed: boolean;
      closeError: string | null;
      timedOut: boolean;
    }
  > {
    if (this.alive) this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((done) => {
        timer = setTimeout(() => done(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) await this.kill();
    const exit = await this.exited;
    return {
      ...exit,
      closed: this.closedMessage,
      closeError: this.closeError,
      timedOut,
    };
  }

  /** SIGKILL (kill -9), and waits until it is gone. */
  async kill(): Promise<ReplicaExit> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }
}

/**
 * Child processes of a bench (app replicas, peer workers, the ingest
 * server): TypeScript run through scripts/swc-register.cjs, a JSON config in
 * BENCH_CHILD_CONFIG, messages over IPC. Each child is its own process so
 * that its CPU and RSS are apart from the client's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from './env';

export interface Message {
  type: string;
  [key: string]: unknown;
}

const SWC_REGISTER = join(__dirname, '..', '..', 'scripts', 'swc-register.cjs');

export class Child {
  readonly proc: ChildProcess;
  readonly kill: () => Promise<void>;
  private inbox: Message[] = [];
  private waiters: { type: string; resolve: (m: Message) => void }[] = [];
  private listeners: ((m: Message) => void)[] = [];
  private exited?: string;
  private stderr = '';

  /** `script` is relative to bench/. */
  constructor(
    readonly script: string,
    config: unknown,
    execArgv: string[] = [],
  ) {
    this.proc = fork(join(__dirname, '..', script), [], {
      execArgv: ['-r', SWC_REGISTER, ...execArgv],
      env: { ...process.env, BENCH_CHILD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.proc.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4_000);
    });
    this.proc.on('message', (m) => this.deliver(m as Message));
    this.proc.on('exit', (code, signal) => {
      this.exited = `${script} exited (${signal ?? code})`;
      for (const w of this.waiters.splice(0)) {
        w.resolve({ type: 'exit', message: this.exited });
      }
    });
    this.kill = onCleanup(async () => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
      const gone = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGKILL');
      await gone;
    });
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  private deliver(message: Message): void {
    for (const listen of this.listeners) listen(message);
    const i = this.waiters.findIndex(
      (w) => w.type === message.type || message.type === 'error',
    );
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(message);
    else if (message.type !== 'dial') this.inbox.push(message);
  }

  /** Every message as it arrives (e.g. one per dial in latency mode). */
  onMessage(listen: (m: Message) => void): void {
    this.listeners.push(listen);
  }

  send(message: Message): void {
    this.proc.send(message);
  }

  async wait<T = Message>(type: string, timeoutMs = 120_000): Promise<T> {
    const queued = this.inbox.findIndex(
      (m) => m.type === type || m.type === 'error',
    );
    let message: Message;
    if (queued >= 0) message = this.inbox.splice(queued, 1)[0];
    else if (this.exited) throw new Error(`${this.exited}${this.cause()}`);
    else {
      let timer: NodeJS.Timeout | undefined;
      message = await Promise.race([
        new Promise<Message>((resolve) => this.waiters.push({ type, resolve })),
        new Promise<Message>((resolve) => {
          timer = setTimeout(
            () => resolve({ type: 'timeout', message: `no "${type}"` }),
            timeoutMs,
          );
        }),
      ]);
      clearTimeout(timer);
    }
    if (message.type !== type) {
      throw new Error(
        `${this.script}: ${String(message.message)}${this.cause()}`,
      );
    }
    return message as T;
  }

  /** Sends a request and waits for the answer of the same type. */
  async ask<T = Message>(message: Message, timeoutMs?: number): Promise<T> {
    this.send(message);
    return this.wait<T>(message.type, timeoutMs);
  }

  /** Asks the child to stop, returns its last report, then makes sure it is gone. */
  async stop<T = Message>(): Promise<T> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    const done = await this.ask<T>({ type: 'stop' }, 60_000);
    await Promise.race([exited, sleep(5_000)]);
    await this.kill();
    return done;
  }

  private cause(): string {
    const line = /^.*\b(?:Error|error)\b.*$/m.exec(this.stderr)?.[0];
    return line ? `: ${line.trim().slice(0, 200)}` : '';
  }
}

// ------------------------------------------------------------ child side

/** The config this child was forked with. */
export function childConfig<T>(): T {
  const raw = process.env.BENCH_CHILD_CONFIG;
  if (!raw || !process.send) {
    throw new Error('a bench child process is started by its bench');
  }
  return JSON.parse(raw) as T;
}

export const toParent = (message: Message): Promise<void> =>
  new Promise((resolve, reject) =>
    process.send!(message, undefined, {}, (e) => (e ? reject(e) : resolve())),
  );

/** Answers the parent's requests with `handle`; an error is reported, then the child exits. */
export function serve(handle: (m: Message) => Promise<Message | void>): void {
  process.on('message', (raw) => {
    const message = raw as Message;
    handle(message)
      .then(async (reply) => {
        if (reply) await toParent(reply);
        if (message.type === 'stop') process.exit(0);
      })
      .catch(failChild);
  });
  process.on('disconnect', () => process.exit(1));
}

export async function failChild(error: Error): Promise<never> {
  await toParent({
    type: 'error',
    message: error.stack ?? error.message,
  }).catch(() => undefined);
  process.exit(1);
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

import { readFileSync } from 'node:fs';
/**
 * Types and helpers shared by bench/dispatch.bench.ts and its child
 * processes (bench/dispatch-replica.ts, bench/dispatch-pgboss-worker.ts).
 */
import type { DataSourceOptions } from 'typeorm';
import type { NewCampaign, NewContact, SchedulerOptions } from '../lib';
import { RECALL, makeContacts, type BenchContact } from './support';

export interface ReplicaConfig {
  database: DataSourceOptions;
  runMigrations: boolean;
  scheduler: SchedulerOptions & { replicaId: string };
}

export interface PgBossWorkerConfig {
  url: string;
  queue: string;
  batchSize: number;
  pollingIntervalSeconds: number;
}

export interface CampaignToCreate {
  accountId: string;
  playbookId: string;
  contacts: number;
}

export type ParentMessage =
  | { type: 'go' }
  | { type: 'stop' }
  | { type: 'create'; campaigns: CampaignToCreate[]; launchAt: number | null };

export interface SqlStat {
  count: number;
  ms: number;
  maxMs: number;
  /** Most bind parameters one statement of this kind carried. */
  maxParams: number;
}

export interface DoneMessage {
  type: 'done';
  replicaId: string;
  /** Call ids (or job ids) in the order they were dialed (handled). */
  ids: string[];
  /** Epoch ms of each dial (handler call). */
  times: number[];
  /** Replicas: epoch ms when the last transaction writing results committed. */
  lastRecordedAt?: number;
  /** Kernel high-water mark of the process's RSS (VmHWM). */
  peakRssMb: number;
  windowMs: number;
  cpuMs: number;
  eventLoopUtilization: number;
  sql?: ({ kind: string } & SqlStat)[];
  ticks?: { count: number; ms: number; started: number; maxMs: number };
}

export type ReplicaMessage =
  | { type: 'ready'; bootMs: number; rssMb: number }
  | { type: 'created'; ms: number }
  | { type: 'error'; message: string }
  | DoneMessage;

/** Bench contacts as the validated input of `CampaignCreationService.create`. */
export function toNewContacts(contacts: BenchContact[]): NewContact[] {
  return contacts.map((c) => ({
    phone: c.phone,
    fields: {
      first_name: c.first_name,
      last_name: c.last_name,
      email: c.email,
      city: c.city,
      timezone: c.timezone,
    },
    customFields: c.custom_fields,
  }));
}

export function newCampaign(
  playbookId: string,
  contacts: NewContact[],
  launchAt: Date | null,
): NewCampaign {
  return { playbookId, contacts, launchAt, recall: [...RECALL] };
}

/** A campaign of fresh contacts, for a create request sent to a child. */
export function newCampaignOf(
  c: CampaignToCreate,
  launchAt: number | null,
): NewCampaign {
  return newCampaign(
    c.playbookId,
    toNewContacts(makeContacts(c.contacts)),
    launchAt === null ? null : new Date(launchAt),
  );
}

/** A message to the parent process (bench/dispatch.bench.ts). */
export const sendToParent = (message: ReplicaMessage): Promise<void> =>
  new Promise((resolve, reject) =>
    process.send!(message, undefined, {}, (error) =>
      error ? reject(error) : resolve(),
    ),
  );

/** The process's peak RSS (the kernel's high-water mark on Linux). */
export function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(
      readFileSync('/proc/self/status', 'utf8'),
    );
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // not Linux: the current RSS is the best we have
  }
  return process.memoryUsage().rss / 1024 / 1024;
}

/** Tells the parent this child is up and how long it took. */
export function announceReady(bootStarted: number): Promise<void> {
  return sendToParent({
    type: 'ready',
    bootMs: performance.now() - bootStarted,
    rssMb: process.memoryUsage().rss / 1024 / 1024,
  });
}

/** Reports a child's fatal error to the parent, then exits. */
export async function failChild(error: Error): Promise<never> {
  await sendToParent({
    type: 'error',
    message: error.stack ?? error.message,
  }).catch(() => undefined);
  process.exit(1);
}

/** The config a child process was forked with (JSON in `envName`). */
export function childConfig<T>(envName: string, file: string): T {
  const config = JSON.parse(process.env[envName] ?? 'null') as T | null;
  if (!config || !process.send) {
    throw new Error(`${file} is started by bench/dispatch.bench.ts`);
  }
  return config;
}

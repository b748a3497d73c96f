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

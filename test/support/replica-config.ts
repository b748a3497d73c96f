/** What a replica process (replica-main.ts) is started with, as JSON in CC_REPLICA_CONFIG. */
export interface ReplicaConfig {
  replicaId: string;
  /** The test database; its schema is migrated by the parent, never by a replica. */
  databaseUrl: string;
  /** The dialer's own log: one JSON line per dial. */
  dialLog: string;
  /** Dialer latency in real ms, uniform in [min, max]. */
  latencyMs: [number, number];
  /** ScaledClock shared by all replicas of a test. */
  clockOrigin: number;
  clockFactor: number;
  defaultTimezone: string;
  /** In fake ms (see ScaledClock.fakeMs). */
  leaseMs: number;
  tickIntervalMs: number;
  batchSize: number;
  maxInFlight: number;
  maxInFlightPerAccount: number;
  callsPerSecond: number;
  shutdownTimeoutMs: number;
  /** Calling rules of the replica; default: the built-in ones off. */
  callingRules?: { builtIn?: boolean };
  /** Weights of the dialer's outcomes; default MIXED_OUTCOMES. */
  outcomes?: Partial<Record<string, number>>;
  /** Dial through a real provider dialer at a (fake) provider API instead of the file-logged dialer. */
  provider?:
    | { name: 'retell'; apiKey: string; baseUrl: string }
    | { name: 'vapi'; apiKey: string; secret: string; baseUrl: string }
    | {
        name: 'twilio';
        accountSid: string;
        authToken: string;
        baseUrl: string;
        webhookBaseUrl: string;
      };
  /** In fake ms; default the module's. */
  outcomeTimeoutMs?: number;
  /** Every durable event the replica's subscriber gets: one JSON line each (ReplicaEventLine). */
  eventLog?: string;
  /** On getting an event of this type the replica logs it, then kills itself (SIGKILL) before the relay marks it delivered. */
  crashOnEvent?: string;
  /** Webhooks to http:// receivers on this machine (a test's receiver), polled every 50 ms. */
  webhooksToLocalReceivers?: boolean;
  /** The relay's lease, in fake ms; default the module's. */
  eventLeaseMs?: number;
  /** Module-wide cap of attempts per number. */
  maxAttemptsPerContact?: { calls: number; hours: number };
}

/** A line of a replica's event log. */
export interface ReplicaEventLine {
  replica: string;
  id: string;
  sequence: number;
  type: string;
  campaignId: string;
  callId?: string;
  attempts?: number;
}

export const REPLICA_CONFIG_ENV = 'CC_REPLICA_CONFIG';

/** Messages a replica sends its parent over the IPC channel. */
export type ReplicaMessage =
  | { type: 'ready'; replicaId: string; pid: number }
  | { type: 'closed'; replicaId: string }
  | { type: 'close-failed'; replicaId: string; error: string };

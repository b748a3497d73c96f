import type { DialRequest } from '../dialer/campaign-dialer.interface';
import type { DialVerdict } from './claim-plan';

/** What a call is about to be dialed as, for the host's `beforeDial` hook. */
export interface BeforeDialCall {
  callId: string;
  campaignId: string;
  accountId: string;
  phone: string;
  /** The calling rules' verdict the call would be dialed under. */
  verdict: DialVerdict;
}

/**
 * The host's answer: dial; never dial (the call ends `blocked` with the
 * reason); or wait until a later instant (no attempt is used).
 */
export type BeforeDialDecision =
  | { action: 'allow' }
  | { action: 'deny'; reason: string }
  | { action: 'defer'; until: Date; reason?: string };

/**
 * For what only the host knows (consent records, a national do-not-call
 * registry): called for each call the rules allow, just before its attempt
 * is recorded. A hook that throws or does not answer in time defers the
 * call (fail closed).
 */
export type BeforeDialHook = (
  call: BeforeDialCall,
) => Promise<BeforeDialDecision> | BeforeDialDecision;

export type { DialRequest };

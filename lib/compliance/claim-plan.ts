import { DateTime } from 'luxon';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import { isIanaTimeZone } from '../validation/time-zone.validator';
import type { CallCap, CallingRule } from './calling-rule.interface';
import {
  applicableRules,
  earliestOpening,
  ruleConstraint,
  type CallingConstraint,
  type HolidayCalendar,
} from './calling-policy';

/** A due call as the claim found it, with what the policy needs. */
export interface ClaimCandidate {
  id: string;
  campaignId: string;
  accountId: string;
  contactId: string;
  phone: string;
  contactTimezone: string | null;
  contactState: string | null;
  campaignTimezone: string | null;
  campaignWindow: CallingWindow | null;
  onDoNotCallList: boolean;
  /** Another call to this person is being dialed now (any campaign). */
  inFlight: boolean;
  /** Starts of attempts to this person within the longest cap (any campaign). */
  recentStarts: readonly Date[];
}

/** Where a number may be: its country, zones and (US/CA) region. */
export interface LocatedNumber {
  country: string | null;
  zones: readonly string[];
  region: string | null;
}

export interface ClaimPolicy {
  now: Date;
  rules: readonly CallingRule[];
  businessWindow: CallingWindow;
  defaultTimezone: string;
  /** Module-wide cap on attempts to one person, besides the rules' caps. */
  maxAttemptsPerContact: CallCap | null;
  /** How long a call waits when its person is already on a call. */
  inFlightWaitMs: number;
  /** How many more calls an account may start now (per-account limit). */
  accountCapacity(accountId: string): number;
  locate(phone: string): LocatedNumber;
  regionOfState(state: string | null): string | null;
  calendar: HolidayCalendar;
}

/** Why a call waits, shown with it. */
export type WaitReason =
  'calling_hours' | 'holiday' | 'cap' | 'in_progress' | 'hook';

export interface WaitExplanation {
  reason: WaitReason;
  until: string;
  rule: string | null;
  zone: string | null;
  message: string;
}

/** What a call was dialed under, recorded with its attempt. */
export interface DialVerdict {
  zones: string[];
  zone_source: 'contact' | 'number' | 'campaign' | 'default';
  country: string | null;
  regions: string[];
  rules: string[];
  local_times: Record<string, string>;
}

export type ClaimDecision =
  | { kind: 'start'; candidate: ClaimCandidate; verdict: DialVerdict }
  | {
      kind: 'wait';
      candidate: ClaimCandidate;
      until: Date;
      why: WaitExplanation;
    }
  | { kind: 'opted_out'; candidate: ClaimCandidate }
  | { kind: 'blocked'; candidate: ClaimCandidate; reason: string }
  /** Over the account's in-flight limit: left as it is for a later claim. */
  | { kind: 'later'; candidate: ClaimCandidate };

interface Subject {
  zones: string[];
  zoneSource: DialVerdict['zone_source'];
  country: string | null;
  regions: string[];
  rules: CallingRule[];
  constraints: CallingConstraint[];
}

/**
 * Which claimed calls dial now, which wait (until when, and why) and which
 * end undialed: the one place the calling policy applies. Pure: the
 * repository gives it rows and writes what it decides. Fails closed: a call
 * starts only when every applicable rule, the business window and the
 * campaign's window are open in every zone the person may be in, no cap is
 * reached and the person is on no other call.
 */
export function planClaim(
  candidates: readonly ClaimCandidate[],
  policy: ClaimPolicy,
): ClaimDecision[] {
  const openings = new Map<string, ReturnType<typeof earliestOpening>>();
  // Every row shares `policy.now`: one verdict per kind of person.
  const verdicts = new Map<string, DialVerdict>();
  const startedContacts = new Set<string>();
  const startedPerAccount = new Map<string, number>();
  return candidates.map((candidate): ClaimDecision => {
    if (candidate.onDoNotCallList) return { kind: 'opted_out', candidate };
    const subject = subjectOf(candidate, policy);
    const key = `${subject.zones.join(',')}|${subject.constraints.map((c) => c.id).join(',')}|${JSON.stringify(candidate.campaignWindow)}`;
    let opening = openings.get(key);
    if (!opening) {
      opening = earliestOpening(
        policy.now,
        subject.zones,
        subject.constraints,
        policy.calendar,
      );
      openings.set(key, opening);
    }
    if ('never' in opening) {
      return { kind: 'blocked', candidate, reason: opening.reason };
    }
    if (opening.blockedBy) {
      const { constraint, zone, reason } = opening.blockedBy;
      return wait(candidate, opening.at, {
        reason,
        rule: constraint,
        zone,
        message: `${constraint} is closed in ${zone}${reason === 'holiday' ? ' (public holiday)' : ''}`,
      });
    }
    if (candidate.inFlight || startedContacts.has(candidate.contactId)) {
      return wait(
        candidate,
        new Date(policy.now.getTime() + policy.inFlightWaitMs),
        {
          reason: 'in_progress',
          rule: null,
          zone: null,
          message: 'another call to this number is in progress',
        },
      );
    }
    const capped = capWait(candidate, subject, policy);
    if (capped) return capped;
    const taken = startedPerAccount.get(candidate.accountId) ?? 0;
    if (taken >= policy.accountCapacity(candidate.accountId)) {
      return { kind: 'later', candidate };
    }
    startedPerAccount.set(candidate.accountId, taken + 1);
    startedContacts.add(candidate.contactId);
    const verdictKey = `${key}|${subject.zoneSource}|${subject.country}|${subject.regions.join(',')}`;
    let verdict = verdicts.get(verdictKey);
    if (!verdict) {
      verdict = verdictOf(subject, policy);
      verdicts.set(verdictKey, verdict);
    }
    return { kind: 'start', candidate, verdict };
  });
}

function wait(
  candidate: ClaimCandidate,
  until: Date,
  why: Omit<WaitExplanation, 'until'>,
): ClaimDecision {
  return {
    kind: 'wait',
    candidate,
    until,
    why: { ...why, until: until.toISOString() },
  };
}

/**
 * Zones: the contact's own, else every zone its number may be in, else the
 * campaign's, else the module default. Rules: those of the number's country
 * and of every region it may be in (the contact's `state` and the area
 * code's, as Florida presumes residence from the area code).
 */
function subjectOf(candidate: ClaimCandidate, policy: ClaimPolicy): Subject {
  const located = policy.locate(candidate.phone);
  let zones: string[];
  let zoneSource: Subject['zoneSource'];
  if (isIanaTimeZone(candidate.contactTimezone)) {
    zones = [candidate.contactTimezone];
    zoneSource = 'contact';
  } else if (located.zones.length) {
    zones = [...located.zones];
    zoneSource = 'number';
  } else if (isIanaTimeZone(candidate.campaignTimezone)) {
    zones = [candidate.campaignTimezone];
    zoneSource = 'campaign';
  } else {
    zones = [policy.defaultTimezone];
    zoneSource = 'default';
  }
  const regions = [
    ...new Set(
      [
        located.region,
        located.country === 'US' || located.country === 'CA'
          ? policy.regionOfState(candidate.contactState)
          : null,
      ].filter((r): r is string => r !== null),
    ),
  ];
  const rules = applicableRules(policy.rules, located.country, regions);
  const constraints: CallingConstraint[] = [
    { id: 'business-window', windows: [policy.businessWindow] },
    ...(candidate.campaignWindow
      ? [{ id: 'campaign-window', windows: [candidate.campaignWindow] }]
      : []),
    ...rules.map(ruleConstraint),
  ];
  return {
    zones,
    zoneSource,
    country: located.country,
    regions,
    rules,
    constraints,
  };
}

/** The latest instant any reached cap frees a slot, with that cap's rule. */
function capWait(
  candidate: ClaimCandidate,
  subject: Subject,
  policy: ClaimPolicy,
): ClaimDecision | null {
  const caps: { rule: string; cap: CallCap }[] = subject.rules.flatMap((r) =>
    r.cap ? [{ rule: r.id, cap: r.cap }] : [],
  );
  if (policy.maxAttemptsPerContact) {
    caps.push({
      rule: 'maxAttemptsPerContact',
      cap: policy.maxAttemptsPerContact,
    });
  }
  let until: Date | null = null;
  let binding: { rule: string; cap: CallCap } | null = null;
  for (const entry of caps) {
    const { cap } = entry;
    const since = policy.now.getTime() - cap.hours * 3_600_000;
    const inWindow = candidate.recentStarts
      .map((d) => d.getTime())
      .filter((t) => t > since)
      .sort((a, b) => a - b);
    if (inWindow.length < cap.calls) continue;
    // The slot frees when the attempt that makes the count reach the cap leaves.
    const frees = new Date(
      inWindow[inWindow.length - cap.calls] + cap.hours * 3_600_000,
    );
    if (!until || frees > until) {
      until = frees;
      binding = entry;
    }
  }
  if (!until || !binding) return null;
  return wait(candidate, until, {
    reason: 'cap',
    rule: binding.rule,
    zone: null,
    message: `${binding.rule}: at most ${binding.cap.calls} calls in ${binding.cap.hours} h to this number`,
  });
}

function verdictOf(subject: Subject, policy: ClaimPolicy): DialVerdict {
  return {
    zones: subject.zones,
    zone_source: subject.zoneSource,
    country: subject.country,
    regions: subject.regions,
    rules: subject.constraints.map((c) => c.id),
    local_times: Object.fromEntries(
      subject.zones.map((zone) => [
        zone,
        DateTime.fromJSDate(policy.now, { zone }).toFormat(
          "yyyy-MM-dd'T'HH:mm:ss ccc",
        ),
      ]),
    ),
  };
}

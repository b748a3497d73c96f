import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import { assertValidCallingWindow } from '../scheduler/calling-window';
import { BUILT_IN_CALLING_RULES } from './built-in-calling-rules';
import type { CallingRule } from './calling-rule.interface';
import {
  planClaim,
  type ClaimCandidate,
  type ClaimPolicy,
  type DialVerdict,
  type WaitExplanation,
} from './claim-plan';
import { NumberLocator, usRegionOf } from './number-location';
import { PublicHolidayCalendar } from './public-holidays';

/** How long a call waits when its person is already on another call. */
const IN_FLIGHT_WAIT_MS = 30_000;

/** What a contact is known by, for {@link CallingRulesService.check}. */
export interface CallingCheckSubject {
  /** E.164. */
  phone: string;
  timezone?: string | null;
  state?: string | null;
  campaignTimezone?: string | null;
  campaignWindow?: CallingWindow | null;
  /** Starts of earlier attempts to this number, for the caps. */
  recentStarts?: Date[];
}

/** May this number be called at this instant; if not, when and why. */
export type CallingCheck =
  | { callable: true; verdict: DialVerdict }
  | { callable: false; until: Date; why: WaitExplanation }
  | { callable: false; never: true; reason: string };

/**
 * The calling rules in force (built-in and the host's), the public holiday
 * calendar and the number locator: what the claim plans with, and an answer
 * for hosts and support staff to "may this number be called now?".
 */
@Injectable()
export class CallingRulesService implements OnModuleInit {
  private readonly logger = new Logger('CampaignCallingRules');
  readonly rules: readonly CallingRule[];
  private readonly calendar = new PublicHolidayCalendar();
  private locator: NumberLocator | null = null;

  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {
    const { builtIn, rules } = options.callingRules;
    this.rules = [...(builtIn ? BUILT_IN_CALLING_RULES : []), ...rules];
    assertValidRules(this.rules);
  }

  async onModuleInit(): Promise<void> {
    if (!this.options.callingRules.builtIn) {
      this.logger.warn(
        `the built-in calling rules are off (callingRules.builtIn: false): only ${this.rules.length} host rule(s) apply; the host answers for lawful calling hours and caps`,
      );
    }
    this.locator = await NumberLocator.load();
  }

  /** The inputs of {@link planClaim} at `now`. */
  async policy(
    now: Date,
    accountCapacity: (accountId: string) => number,
  ): Promise<ClaimPolicy> {
    const locator = this.locator ?? (this.locator = await NumberLocator.load());
    return {
      now,
      rules: this.rules,
      businessWindow: this.options.callingWindow,
      defaultTimezone: this.options.defaultTimezone,
      maxAttemptsPerContact: this.options.maxAttemptsPerContact,
      inFlightWaitMs: IN_FLIGHT_WAIT_MS,
      accountCapacity,
      locate: (phone) => locator.locate(phone),
      regionOfState: usRegionOf,
      calendar: this.calendar,
    };
  }

  /** The longest rolling window of any cap in force, in hours (0: no caps). */
  get longestCapHours(): number {
    return Math.max(
      0,
      this.options.maxAttemptsPerContact?.hours ?? 0,
      ...this.rules.map((r) => r.cap?.hours ?? 0),
    );
  }

  /** May `subject` be called at `at` (default now); if not, until when and why. */
  async check(
    subject: CallingCheckSubject,
    at: Date = new Date(),
  ): Promise<CallingCheck> {
    const candidate: ClaimCandidate = {
      id: 'check',
      campaignId: 'check',
      accountId: 'check',
      contactId: 'check',
      phone: subject.phone,
      contactTimezone: subject.timezone ?? null,
      contactState: subject.state ?? null,
      campaignTimezone: subject.campaignTimezone ?? null,
      campaignWindow: subject.campaignWindow ?? null,
      onDoNotCallList: false,
      inFlight: false,
      recentStarts: subject.recentStarts ?? [],
    };
    const [decision] = planClaim(
      [candidate],
      await this.policy(at, () => Number.POSITIVE_INFINITY),
    );
    switch (decision.kind) {
      case 'start':
        return { callable: true, verdict: decision.verdict };
      case 'wait':
        return { callable: false, until: decision.until, why: decision.why };
      case 'blocked':
        return { callable: false, never: true, reason: decision.reason };
      default:
        throw new Error(`unexpected decision ${decision.kind}`);
    }
  }
}

function assertValidRules(rules: readonly CallingRule[]): void {
  const ids = new Set<string>();
  for (const rule of rules) {
    const at = `calling rule ${JSON.stringify(rule?.id)}`;
    if (typeof rule?.id !== 'string' || !rule.id) {
      throw new Error('Invalid calling rule: every rule needs an id');
    }
    if (ids.has(rule.id)) throw new Error(`Duplicate ${at}`);
    ids.add(rule.id);
    if (!/^[A-Z]{2}$/.test(rule.jurisdiction?.country ?? '')) {
      throw new Error(
        `Invalid ${at}: jurisdiction.country must be ISO 3166 alpha-2`,
      );
    }
    if (!Array.isArray(rule.windows) || rule.windows.length === 0) {
      throw new Error(`Invalid ${at}: windows must be a non-empty array`);
    }
    for (const window of rule.windows) assertValidCallingWindow(window);
    if (
      rule.cap &&
      !(
        Number.isInteger(rule.cap.calls) &&
        rule.cap.calls > 0 &&
        rule.cap.hours > 0
      )
    ) {
      throw new Error(`Invalid ${at}: cap needs positive calls and hours`);
    }
  }
}

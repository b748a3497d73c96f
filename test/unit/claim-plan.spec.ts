import { DateTime } from 'luxon';
import { BUILT_IN_CALLING_RULES } from '../../lib/compliance/built-in-calling-rules';
import {
  planClaim,
  type ClaimCandidate,
  type ClaimDecision,
  type ClaimPolicy,
  type LocatedNumber,
} from '../../lib/compliance/claim-plan';
import { PublicHolidayCalendar } from '../../lib/compliance/public-holidays';

const ALWAYS = { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7] };

/** Numbers of the tests, located as Google's data locates them. */
const NUMBERS: Record<string, LocatedNumber> = {
  '+12125550101': { country: 'US', zones: ['America/New_York'], region: 'NY' },
  '+13105550102': {
    country: 'US',
    zones: ['America/Los_Angeles'],
    region: 'CA',
  },
  '+13055550103': { country: 'US', zones: ['America/New_York'], region: 'FL' },
  '+12145550104': { country: 'US', zones: ['America/Chicago'], region: 'TX' },
  '+12065550105': {
    country: 'US',
    zones: ['America/Los_Angeles'],
    region: 'WA',
  },
  '+14055550106': { country: 'US', zones: ['America/Chicago'], region: 'OK' },
  '+14105550107': { country: 'US', zones: ['America/New_York'], region: 'MD' },
  // Toll-free: Google's data gives 42 zones, from Pacific/Pago_Pago (UTC−11)
  // through America/St_Johns (UTC−3:30) to Pacific/Guam (UTC+10, that is
  // UTC−14 on the other side of the date line): local clocks 10.5 h apart.
  '+18005550199': {
    country: 'US',
    zones: [
      'Pacific/Pago_Pago',
      'Pacific/Honolulu',
      'America/New_York',
      'America/St_Johns',
      'Pacific/Guam',
    ],
    region: null,
  },
  '+34912345678': { country: 'ES', zones: ['Europe/Madrid'], region: null },
  '+4930123456': { country: 'DE', zones: ['Europe/Berlin'], region: null },
  '+99900000': { country: null, zones: [], region: null },
};

const policy = (now: string, overrides: Partial<ClaimPolicy> = {}) =>
  ({
    now: new Date(now),
    rules: BUILT_IN_CALLING_RULES,
    businessWindow: ALWAYS,
    defaultTimezone: 'UTC',
    maxAttemptsPerContact: null,
    inFlightWaitMs: 30_000,
    accountCapacity: () => 100,
    locate: (phone: string) => NUMBERS[phone],
    regionOfState: (state: string | null) =>
      state && /^[A-Z]{2}$/.test(state) ? state : null,
    calendar: new PublicHolidayCalendar(),
    ...overrides,
  }) satisfies ClaimPolicy;

let sequence = 0;
const candidate = (
  phone: string,
  fields: Partial<ClaimCandidate> = {},
): ClaimCandidate => ({
  id: `call-${++sequence}`,
  campaignId: 'campaign',
  accountId: 'acct',
  contactId: `contact-${phone}`,
  phone,
  contactTimezone: null,
  contactState: null,
  campaignTimezone: null,
  campaignWindow: null,
  onDoNotCallList: false,
  inFlight: false,
  recentStarts: [],
  ...fields,
});

/** An instant given as local wall time in a zone. */
const at = (local: string, zone: string): string =>
  DateTime.fromISO(local, { zone }).toUTC().toISO()!;

const plan = (
  c: ClaimCandidate,
  now: string,
  o?: Partial<ClaimPolicy>,
): ClaimDecision => planClaim([c], policy(now, o))[0];

describe('planClaim: where a person may be', () => {
  it('uses the number’s zone when the contact has none, not defaultTimezone', () => {
    // 10:00 UTC is 05:00 in New York and 02:00 in Los Angeles.
    const now = '2026-12-01T10:00:00.000Z';
    const ny = plan(candidate('+12125550101'), now);
    expect(ny).toMatchObject({
      kind: 'wait',
      why: {
        reason: 'calling_hours',
        rule: 'us-federal',
        zone: 'America/New_York',
      },
    });
    expect((ny as { until: Date }).until.toISOString()).toBe(
      at('2026-12-01T08:00', 'America/New_York'),
    );
    const la = plan(candidate('+13105550102'), now);
    expect((la as { until: Date }).until.toISOString()).toBe(
      at('2026-12-01T08:00', 'America/Los_Angeles'),
    );
  });

  it("a contact's own timezone wins over the number's", () => {
    const now = at('2026-12-01T10:00', 'America/New_York');
    const d = plan(
      candidate('+12125550101', { contactTimezone: 'Asia/Tokyo' }),
      now,
    );
    // 10:00 in New York is 00:00 in Tokyo: the federal hours are closed there.
    expect(d).toMatchObject({ kind: 'wait', why: { zone: 'Asia/Tokyo' } });
  });

  it('no zone from the number: the campaign zone, then the default', () => {
    const now = '2026-12-01T03:00:00.000Z';
    const withCampaign = plan(
      candidate('+99900000', {
        campaignTimezone: 'Asia/Tokyo',
        campaignWindow: { start: '09:00', end: '17:00', days: [2] },
      }),
      now,
    );
    expect(withCampaign).toMatchObject({
      kind: 'start',
      verdict: { zones: ['Asia/Tokyo'], zone_source: 'campaign' },
    });
    const fallback = plan(candidate('+99900000'), now);
    expect(fallback).toMatchObject({
      kind: 'start',
      verdict: { zones: ['UTC'], zone_source: 'default' },
    });
  });

  it('a number whose zones never share an open instant is blocked, not kept waiting', () => {
    // An 8-hour business window cannot be open on clocks 10.5 h apart.
    const office = {
      start: '09:00',
      end: '17:00',
      days: [1, 2, 3, 4, 5, 6, 7],
    };
    for (const hour of [0, 6, 12, 18]) {
      const d = plan(
        candidate('+18005550199'),
        `2026-06-10T${String(hour).padStart(2, '0')}:00:00.000Z`,
        { businessWindow: office },
      );
      expect(d).toMatchObject({ kind: 'blocked' });
      expect((d as { reason: string }).reason).toMatch(/never overlap/);
    }
  });

  it('a toll-free number waits for the short time when all its zones are open', () => {
    // With the federal 08:00–21:00 alone: 2.5 h a day, from 22:00 UTC
    // (08:00 in Guam) to 00:30 UTC (21:00 in St John's, in January).
    const d = plan(candidate('+18005550199'), '2026-01-14T12:00:00.000Z');
    expect(d).toMatchObject({ kind: 'wait', why: { rule: 'us-federal' } });
    const until = (d as { until: Date }).until;
    expect(until.toISOString()).toBe('2026-01-14T22:00:00.000Z');
    expect(plan(candidate('+18005550199'), until.toISOString()).kind).toBe(
      'start',
    );
  });

  it('applies the rules of the contact state and of the area code together', () => {
    // A New York number whose contact says Florida: Florida's 20:00 applies.
    const now = at('2026-12-01T20:30', 'America/New_York');
    expect(plan(candidate('+12125550101'), now)).toMatchObject({
      kind: 'start',
    });
    expect(
      plan(candidate('+12125550101', { contactState: 'FL' }), now),
    ).toMatchObject({ kind: 'wait', why: { rule: 'us-fl' } });
  });
});

describe('planClaim: each built-in rule at its boundaries', () => {
  const cases: [string, string, string, string, 'start' | 'wait'][] = [
    // [phone, local time, zone, rule that holds it (if waiting), expected]
    [
      '+12125550101',
      '2026-12-01T07:59',
      'America/New_York',
      'us-federal',
      'wait',
    ],
    ['+12125550101', '2026-12-01T08:00', 'America/New_York', '', 'start'],
    ['+12125550101', '2026-12-01T20:59', 'America/New_York', '', 'start'],
    [
      '+12125550101',
      '2026-12-01T21:00',
      'America/New_York',
      'us-federal',
      'wait',
    ],
    ['+12125550101', '2026-12-06T12:00', 'America/New_York', '', 'start'],
    ['+13055550103', '2026-12-01T08:00', 'America/New_York', '', 'start'],
    ['+13055550103', '2026-12-01T19:59', 'America/New_York', '', 'start'],
    ['+13055550103', '2026-12-01T20:00', 'America/New_York', 'us-fl', 'wait'],
    ['+14055550106', '2026-12-01T20:00', 'America/Chicago', 'us-ok', 'wait'],
    ['+14105550107', '2026-12-01T20:00', 'America/New_York', 'us-md', 'wait'],
    [
      '+12065550105',
      '2026-12-01T07:59',
      'America/Los_Angeles',
      'us-federal',
      'wait',
    ],
    [
      '+12065550105',
      '2026-12-01T20:00',
      'America/Los_Angeles',
      'us-wa',
      'wait',
    ],
    ['+12145550104', '2026-12-01T08:59', 'America/Chicago', 'us-tx', 'wait'],
    ['+12145550104', '2026-12-01T09:00', 'America/Chicago', '', 'start'],
    ['+12145550104', '2026-12-01T20:59', 'America/Chicago', '', 'start'],
    ['+12145550104', '2026-12-06T11:59', 'America/Chicago', 'us-tx', 'wait'],
    ['+12145550104', '2026-12-06T12:00', 'America/Chicago', '', 'start'],
    [
      '+12145550104',
      '2026-12-06T21:00',
      'America/Chicago',
      'us-federal',
      'wait',
    ],
    ['+34912345678', '2026-12-01T08:59', 'Europe/Madrid', 'es', 'wait'],
    ['+34912345678', '2026-12-01T09:00', 'Europe/Madrid', '', 'start'],
    ['+34912345678', '2026-12-01T20:59', 'Europe/Madrid', '', 'start'],
    ['+34912345678', '2026-12-01T21:00', 'Europe/Madrid', 'es', 'wait'],
    ['+34912345678', '2026-12-05T12:00', 'Europe/Madrid', 'es', 'wait'],
    ['+34912345678', '2026-12-08T12:00', 'Europe/Madrid', 'es', 'wait'],
    ['+34912345678', '2026-12-09T12:00', 'Europe/Madrid', '', 'start'],
    // Days a DST change: US 2026-03-08 and 2026-11-01 (Sundays), Spain
    // 2026-03-29 (Sunday) and 2026-10-25 (Sunday): the Mondays after and
    // the US Sundays themselves.
    [
      '+12125550101',
      '2026-03-08T07:59',
      'America/New_York',
      'us-federal',
      'wait',
    ],
    ['+12125550101', '2026-03-08T08:00', 'America/New_York', '', 'start'],
    [
      '+12125550101',
      '2026-11-01T07:59',
      'America/New_York',
      'us-federal',
      'wait',
    ],
    ['+12125550101', '2026-11-01T08:00', 'America/New_York', '', 'start'],
    ['+34912345678', '2026-03-30T08:59', 'Europe/Madrid', 'es', 'wait'],
    ['+34912345678', '2026-03-30T09:00', 'Europe/Madrid', '', 'start'],
    ['+34912345678', '2026-10-26T20:59', 'Europe/Madrid', '', 'start'],
    ['+34912345678', '2026-10-26T21:00', 'Europe/Madrid', 'es', 'wait'],
  ];
  it.each(cases)('%s at %s (%s): %s %s', (phone, local, zone, rule, kind) => {
    const d = plan(candidate(phone), at(local, zone));
    expect(d.kind).toBe(kind);
    if (kind === 'wait') expect(d).toMatchObject({ why: { rule } });
  });

  it('a Spanish public holiday says holiday and waits for the next working morning', () => {
    const d = plan(
      candidate('+34912345678'),
      at('2026-12-08T10:00', 'Europe/Madrid'),
    );
    expect(d).toMatchObject({ kind: 'wait', why: { reason: 'holiday' } });
    expect((d as { until: Date }).until.toISOString()).toBe(
      at('2026-12-09T09:00', 'Europe/Madrid'),
    );
  });

  it('a Spanish Saturday waits for Monday 09:00', () => {
    const d = plan(
      candidate('+34912345678'),
      at('2026-12-05T10:00', 'Europe/Madrid'),
    );
    expect((d as { until: Date }).until.toISOString()).toBe(
      at('2026-12-07T09:00', 'Europe/Madrid'),
    );
  });

  it('the business and campaign windows narrow the rules, never widen them', () => {
    const now = at('2026-12-01T08:30', 'America/New_York');
    expect(
      plan(candidate('+12125550101'), now, {
        businessWindow: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] },
      }),
    ).toMatchObject({ kind: 'wait', why: { rule: 'business-window' } });
    expect(
      plan(
        candidate('+12125550101', {
          campaignWindow: { start: '10:00', end: '12:00', days: [2] },
        }),
        now,
      ),
    ).toMatchObject({ kind: 'wait', why: { rule: 'campaign-window' } });
    // A wider campaign window does not open the federal hours.
    expect(
      plan(
        candidate('+12125550101', { campaignWindow: ALWAYS }),
        at('2026-12-01T06:00', 'America/New_York'),
      ),
    ).toMatchObject({ kind: 'wait', why: { rule: 'us-federal' } });
  });
});

describe('planClaim: one person, one call at a time, and caps', () => {
  const now = at('2026-12-01T12:00', 'America/New_York');
  const hoursAgo = (h: number) => new Date(Date.parse(now) - h * 3_600_000);

  it('a person on another call waits (any campaign), and one batch starts one call per person', () => {
    expect(
      plan(candidate('+12125550101', { inFlight: true }), now),
    ).toMatchObject({ kind: 'wait', why: { reason: 'in_progress' } });
    const [first, second] = planClaim(
      [
        candidate('+12125550101', { campaignId: 'a' }),
        candidate('+12125550101', { campaignId: 'b' }),
      ],
      policy(now),
    );
    expect(first.kind).toBe('start');
    expect(second).toMatchObject({
      kind: 'wait',
      why: { reason: 'in_progress' },
    });
  });

  it('Florida: the fourth call in 24 h waits until the first of three leaves the window', () => {
    const starts = [hoursAgo(20), hoursAgo(5), hoursAgo(1)];
    const d = plan(candidate('+13055550103', { recentStarts: starts }), now);
    expect(d).toMatchObject({
      kind: 'wait',
      why: { reason: 'cap', rule: 'us-fl' },
    });
    expect((d as { until: Date }).until.toISOString()).toBe(
      new Date(starts[0].getTime() + 24 * 3_600_000).toISOString(),
    );
    expect(
      plan(
        candidate('+13055550103', {
          recentStarts: [hoursAgo(25), ...starts.slice(1)],
        }),
        now,
      ).kind,
    ).toBe('start');
    // New York has no cap.
    expect(
      plan(candidate('+12125550101', { recentStarts: starts }), now).kind,
    ).toBe('start');
  });

  it('maxAttemptsPerContact caps every number', () => {
    const d = plan(
      candidate('+12125550101', { recentStarts: [hoursAgo(2), hoursAgo(1)] }),
      now,
      { maxAttemptsPerContact: { calls: 2, hours: 12 } },
    );
    expect(d).toMatchObject({
      kind: 'wait',
      why: { reason: 'cap', rule: 'maxAttemptsPerContact' },
    });
  });

  it('the do-not-call list ends the call; the account limit leaves it for later', () => {
    expect(
      plan(candidate('+12125550101', { onDoNotCallList: true }), now).kind,
    ).toBe('opted_out');
    const decisions = planClaim(
      [candidate('+12125550101'), candidate('+13105550102')],
      policy(now, { accountCapacity: () => 1 }),
    );
    expect(decisions.map((d) => d.kind)).toEqual(['start', 'later']);
  });

  it('records the verdict a call is dialed under', () => {
    const d = plan(candidate('+13055550103'), now);
    expect(d).toMatchObject({
      kind: 'start',
      verdict: {
        zones: ['America/New_York'],
        zone_source: 'number',
        country: 'US',
        regions: ['FL'],
        rules: ['business-window', 'us-federal', 'us-fl'],
        local_times: { 'America/New_York': '2026-12-01T12:00:00 Tue' },
      },
    });
  });
});

import fc from 'fast-check';
import Holidays from 'date-holidays';
import {
  getExampleNumber,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';
import examplesJson from 'libphonenumber-js/examples.mobile.json';
import { DateTime } from 'luxon';
import type { Examples } from 'libphonenumber-js';
import { BUILT_IN_CALLING_RULES } from '../../lib/compliance/built-in-calling-rules';
import type { CallingRule } from '../../lib/compliance/calling-rule.interface';
import {
  planClaim,
  type ClaimCandidate,
  type ClaimPolicy,
} from '../../lib/compliance/claim-plan';
import {
  NumberLocator,
  usRegionOf,
} from '../../lib/compliance/number-location';
import { PublicHolidayCalendar } from '../../lib/compliance/public-holidays';
import type { CallingWindow } from '../../lib/scheduler/calling-window.interface';

/** 37 countries, the multi-zone ones (US, CA, MX, BR, AU, RU, ID) among them. */
const COUNTRIES: CountryCode[] = [
  'US',
  'CA',
  'MX',
  'BR',
  'AU',
  'RU',
  'ID',
  'ES',
  'FR',
  'DE',
  'GB',
  'IT',
  'PT',
  'NL',
  'BE',
  'CH',
  'AT',
  'SE',
  'NO',
  'DK',
  'FI',
  'PL',
  'IE',
  'AR',
  'CL',
  'CO',
  'PE',
  'IN',
  'JP',
  'KR',
  'ZA',
  'NG',
  'EG',
  'TR',
  'NZ',
  'PH',
  'KZ',
];
const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/Madrid',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Honolulu',
  'Asia/Kolkata',
  'UTC',
];
const STATES = ['FL', 'TX', 'WA', 'OK', 'MD', 'NY', 'California', null];
const HOUR_MS = 3_600_000;
const examples = examplesJson as unknown as Examples;

/** DST change instants of 2026–2027 in the US, the EU, Australia and Brazil-free zones. */
const DST_CHANGES = [
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2027-03-14T07:00:00Z',
  '2027-11-07T06:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2027-03-28T01:00:00Z',
  '2027-10-31T01:00:00Z',
  '2026-04-05T16:00:00Z',
  '2026-10-04T16:00:00Z',
].map((iso) => Date.parse(iso));

const instantArb = fc.oneof(
  fc.integer({
    min: Date.parse('2026-01-01T00:00:00Z'),
    max: Date.parse('2027-12-31T23:59:59Z'),
  }),
  fc
    .tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -30, max: 30 }))
    .map(([t, hours]) => t + hours * HOUR_MS),
);

/** A valid number of a country: its example with random last digits. */
const numberArb = fc
  .tuple(fc.constantFrom(...COUNTRIES), fc.integer({ min: 0, max: 9999 }))
  .map(([country, digits]) => {
    const example = getExampleNumber(country, examples)!.number as string;
    const varied = example.slice(0, -4) + String(digits).padStart(4, '0');
    return parsePhoneNumberFromString(varied)?.isValid() ? varied : example;
  });

const hhmm = (minutes: number) =>
  minutes === 1440
    ? '24:00'
    : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const windowArb: fc.Arbitrary<CallingWindow> = fc
  .tuple(
    fc.integer({ min: 0, max: 47 }),
    fc.integer({ min: 1, max: 48 }),
    fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
  )
  .map(([a, b, days]) => {
    const [start, end] = a < b ? [a, b] : [b - 1, a + 1];
    return { start: hhmm(start * 30), end: hhmm(Math.min(48, end) * 30), days };
  })
  .filter((w) => w.start < w.end || w.end === '24:00');

const spainHolidays = new Holidays('ES');
const isSpanishHoliday = (date: DateTime) =>
  (spainHolidays.getHolidays(date.year) || []).some(
    (h) => h.type === 'public' && h.date.slice(0, 10) === date.toISODate(),
  );

/** Independent of the engine: is `window` open at wall-clock `local`? */
function openAt(window: CallingWindow, local: DateTime): boolean {
  const minutes = local.hour * 60 + local.minute;
  const end =
    window.end === '24:00'
      ? 1440
      : Number(window.end.slice(0, 2)) * 60 + Number(window.end.slice(3));
  const start =
    Number(window.start.slice(0, 2)) * 60 + Number(window.start.slice(3));
  return (
    window.days.includes(local.weekday) && minutes >= start && minutes < end
  );
}

describe('calling rules, property-based (real number data)', () => {
  let locator: NumberLocator;
  beforeAll(async () => {
    locator = await NumberLocator.load();
  });

  const policyAt = (
    now: number,
    businessWindow: CallingWindow,
  ): ClaimPolicy => ({
    now: new Date(now),
    rules: BUILT_IN_CALLING_RULES,
    businessWindow,
    defaultTimezone: 'UTC',
    maxAttemptsPerContact: { calls: 5, hours: 24 },
    inFlightWaitMs: 30_000,
    accountCapacity: () => 1_000,
    locate: (phone) => locator.locate(phone),
    regionOfState: usRegionOf,
    calendar: new PublicHolidayCalendar(),
  });

  it('never dials outside any applicable window in any candidate zone, past a cap, or twice at once', () => {
    fc.assert(
      fc.property(
        instantArb,
        windowArb,
        fc.array(
          fc.record({
            phone: numberArb,
            contactTimezone: fc.option(fc.constantFrom(...ZONES)),
            contactState: fc.constantFrom(...STATES),
            campaignTimezone: fc.option(fc.constantFrom(...ZONES)),
            campaignWindow: fc.option(windowArb),
            inFlight: fc.boolean(),
            startsHoursAgo: fc.array(fc.integer({ min: 0, max: 30 }), {
              maxLength: 6,
            }),
            sameContactAsPrevious: fc.boolean(),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (now, businessWindow, specs) => {
          const candidates: ClaimCandidate[] = specs.map((spec, i) => {
            const previous = i > 0 && spec.sameContactAsPrevious;
            return {
              id: `call-${i}`,
              campaignId: `campaign-${i}`,
              accountId: 'acct',
              contactId: previous ? `contact-${i - 1}` : `contact-${i}`,
              phone: previous ? specs[i - 1].phone : spec.phone,
              contactTimezone: spec.contactTimezone,
              contactState: spec.contactState,
              campaignTimezone: spec.campaignTimezone,
              campaignWindow: spec.campaignWindow,
              onDoNotCallList: false,
              inFlight: spec.inFlight,
              recentStarts: spec.startsHoursAgo.map(
                (h) => new Date(now - h * HOUR_MS - 1),
              ),
            };
          });
          // Contacts sharing an id share everything the database knows of them.
          for (const c of candidates) {
            const first = candidates.find((o) => o.contactId === c.contactId)!;
            Object.assign(c, {
              phone: first.phone,
              contactTimezone: first.contactTimezone,
              contactState: first.contactState,
              inFlight: first.inFlight,
              recentStarts: first.recentStarts,
            });
          }
          const decisions = planClaim(
            candidates,
            policyAt(now, businessWindow),
          );
          const startedContacts = new Set<string>();
          decisions.forEach((decision, i) => {
            const c = candidates[i];
            if (decision.kind === 'wait') {
              expect(decision.until.getTime()).toBeGreaterThan(now);
            }
            if (decision.kind !== 'start') return;
            expect(c.inFlight).toBe(false);
            expect(startedContacts.has(c.contactId)).toBe(false);
            startedContacts.add(c.contactId);

            const located = locator.locate(c.phone);
            const zones = c.contactTimezone
              ? [c.contactTimezone]
              : located.zones.length
                ? [...located.zones]
                : [c.campaignTimezone ?? 'UTC'];
            expect(decision.verdict.zones).toEqual(zones);
            const regions = [
              located.region,
              located.country === 'US' || located.country === 'CA'
                ? usRegionOf(c.contactState)
                : null,
            ].filter((r): r is string => r !== null);
            const rules: CallingRule[] = BUILT_IN_CALLING_RULES.filter(
              (r) =>
                r.jurisdiction.country === located.country &&
                (!r.jurisdiction.region ||
                  regions.includes(r.jurisdiction.region)),
            );
            for (const zone of zones) {
              const local = DateTime.fromMillis(now, { zone });
              expect(openAt(businessWindow, local)).toBe(true);
              if (c.campaignWindow) {
                expect(openAt(c.campaignWindow, local)).toBe(true);
              }
              for (const rule of rules) {
                expect(rule.windows.some((w) => openAt(w, local))).toBe(true);
                if (rule.noCallsOnPublicHolidays) {
                  expect(isSpanishHoliday(local)).toBe(false);
                }
              }
            }
            const caps = [
              ...rules.flatMap((r) => (r.cap ? [r.cap] : [])),
              { calls: 5, hours: 24 },
            ];
            for (const cap of caps) {
              const recent = c.recentStarts.filter(
                (d) => d.getTime() > now - cap.hours * HOUR_MS,
              ).length;
              expect(recent).toBeLessThan(cap.calls);
            }
          });
        },
      ),
      { numRuns: 800 },
    );
  });
});

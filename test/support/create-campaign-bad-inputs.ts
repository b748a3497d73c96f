/**
 * POST /campaign: a catalogue of bad inputs (SPEC section 3, "Body and
 * validation"). Every case must be answered with a 4xx (never a 500) that
 * names the failing field, and must write nothing. The pipe-level cases run
 * once in test/unit/create-campaign.pipe.spec.ts; the parser cases (and a
 * few smoke cases) over HTTP on every database and platform.
 */
export interface Ctx {
  /** The seeded playbook of the test account. */
  pb: string;
}

export interface BadInput {
  name: string;
  /** A JSON body (serialised by supertest). */
  body?: (c: Ctx) => unknown;
  /** A body sent verbatim (for keys such as `__proto__`, malformed JSON...). */
  raw?: (c: Ctx) => string;
  /** Content-Type of a raw body; default application/json. */
  contentType?: string;
  /** Run against the app made with `maxContactsPerCampaign: 3`. */
  app?: 'small';
  /** Expected status; default 400. */
  status?: 400 | 413 | 415;
  /** The field path the error must name. */
  field: string;
  /** The whole `"<field>: <message>"` line, when the wording matters. */
  message?: RegExp;
  /**
   * Answered by the body parser / content-type check, before validation:
   * the body has `message` but no `errors` list.
   */
  parser?: true;
}

export const PHONE = '+34612345678';
export const MAX_CONTACTS_SMALL = 3;

export const campaign = (c: Ctx, extra: Record<string, unknown> = {}) => ({
  playbook_id: c.pb,
  contacts: [{ phone: PHONE }],
  ...extra,
});

/** A campaign with one contact made of a valid phone plus `fields`. */
const withContact =
  (fields: Record<string, unknown>) =>
  (c: Ctx): unknown =>
    campaign(c, { contacts: [{ phone: PHONE, ...fields }] });

/** A raw JSON campaign whose only contact carries `contactJson` after phone. */
const rawContact =
  (contactJson: string) =>
  (c: Ctx): string =>
    `{"playbook_id":"${c.pb}","contacts":[{"phone":"${PHONE}",${contactJson}}]}`;

/** A valid `calling_window`, with `changes` applied. */
const aWindow = (changes: Record<string, unknown> = {}) => ({
  start: '09:00',
  end: '18:00',
  days: [1, 2, 3, 4, 5],
  ...changes,
});

const iso = (ms: number): string => new Date(ms).toISOString();
const NEXT_YEAR = new Date().getUTCFullYear() + 1;

/** More than the default 16 MB body limit. */
export const oversizedBody = (): string =>
  `{"playbook_id":"x","contacts":[],"pad":"${'a'.repeat(16 * 1024 * 1024 + 1)}"}`;

const manyKeys = (n: number): Record<string, number> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

export const CASES: BadInput[] = [
  // ---- playbook_id ---------------------------------------------------------
  {
    name: 'playbook_id missing',
    body: () => ({ contacts: [{ phone: PHONE }] }),
    field: 'playbook_id',
  },
  {
    name: 'playbook_id a number',
    body: (c) => campaign(c, { playbook_id: 123 }),
    field: 'playbook_id',
  },
  {
    name: 'playbook_id null',
    body: (c) => campaign(c, { playbook_id: null }),
    field: 'playbook_id',
  },
  {
    name: 'playbook_id not a UUID',
    body: (c) => campaign(c, { playbook_id: 'playbook-1' }),
    field: 'playbook_id',
    message: /^playbook_id: must be a UUID$/,
  },
  {
    name: 'playbook_id empty',
    body: (c) => campaign(c, { playbook_id: '' }),
    field: 'playbook_id',
  },

  // ---- contacts ------------------------------------------------------------
  {
    name: 'contacts missing',
    body: (c) => ({ playbook_id: c.pb }),
    field: 'contacts',
  },
  {
    name: 'contacts null',
    body: (c) => campaign(c, { contacts: null }),
    field: 'contacts',
  },
  {
    name: 'contacts an object',
    body: (c) => campaign(c, { contacts: { phone: PHONE } }),
    field: 'contacts',
  },
  {
    name: 'contacts a string',
    body: (c) => campaign(c, { contacts: PHONE }),
    field: 'contacts',
  },
  {
    name: 'contacts empty',
    body: (c) => campaign(c, { contacts: [] }),
    field: 'contacts',
  },
  {
    name: `contacts over maxContactsPerCampaign (${MAX_CONTACTS_SMALL + 1} > ${MAX_CONTACTS_SMALL})`,
    app: 'small',
    body: (c) =>
      campaign(c, {
        contacts: Array.from({ length: MAX_CONTACTS_SMALL + 1 }, (_, i) => ({
          phone: `+3461234567${i}`,
        })),
      }),
    field: 'contacts',
    message: /^contacts: must contain at most 3 contacts$/,
  },
  {
    name: 'contacts over the default maximum (10 001)',
    body: (c) =>
      campaign(c, {
        contacts: Array.from({ length: 10_001 }, () => ({ phone: PHONE })),
      }),
    field: 'contacts',
    message: /^contacts: must contain at most 10000 contacts$/,
  },
  {
    name: 'contact item null',
    body: (c) => campaign(c, { contacts: [{ phone: PHONE }, null] }),
    field: 'contacts.1',
  },
  {
    name: 'contact item a number',
    body: (c) => campaign(c, { contacts: [34612345678] }),
    field: 'contacts.0',
  },
  {
    name: 'contact item a string',
    body: (c) => campaign(c, { contacts: [PHONE] }),
    field: 'contacts.0',
  },
  {
    name: 'contact item an array',
    body: (c) => campaign(c, { contacts: [[PHONE]] }),
    field: 'contacts.0',
  },

  // ---- contacts[i].phone ---------------------------------------------------
  {
    name: 'phone missing',
    body: (c) => campaign(c, { contacts: [{ first_name: 'Ana' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone a number',
    body: (c) => campaign(c, { contacts: [{ phone: 34612345678 }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone null',
    body: (c) => campaign(c, { contacts: [{ phone: null }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone empty',
    body: (c) => campaign(c, { contacts: [{ phone: '' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone blank',
    body: (c) => campaign(c, { contacts: [{ phone: '   ' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone too long (33 characters)',
    body: (c) => campaign(c, { contacts: [{ phone: `+34${'6'.repeat(30)}` }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone with letters',
    body: (c) => campaign(c, { contacts: [{ phone: '+34 612 ABC 678' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone not a number at all',
    body: (c) => campaign(c, { contacts: [{ phone: 'call me maybe' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone "12" (third contact, with a country)',
    body: (c) =>
      campaign(c, {
        contacts: [
          { phone: '+34612345678' },
          { phone: '+34612345679' },
          { phone: '12', country: 'ES' },
        ],
      }),
    field: 'contacts.2.phone',
    message: /^contacts\.2\.phone: "12" is not a valid phone number$/,
  },
  {
    name: 'phone "+12" too short',
    body: (c) => campaign(c, { contacts: [{ phone: '+12' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone invalid for its country code (+34 0...)',
    body: (c) => campaign(c, { contacts: [{ phone: '+34012345678' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'national phone invalid for the contact country (ES mobile read as US)',
    body: (c) =>
      campaign(c, { contacts: [{ phone: '612345678', country: 'US' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'national phone without country and no defaultCountry',
    body: (c) => campaign(c, { contacts: [{ phone: '612345678' }] }),
    field: 'contacts.0.phone',
    message: /^contacts\.0\.phone: "612345678" has no country code/,
  },
  {
    name: 'national phone with a country that is not alpha-2 ("ESP")',
    body: (c) =>
      campaign(c, { contacts: [{ phone: '612345678', country: 'ESP' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'national phone with a country name ("Spain")',
    body: (c) =>
      campaign(c, { contacts: [{ phone: '612345678', country: 'Spain' }] }),
    field: 'contacts.0.phone',
  },
  {
    name: 'phone with trailing text',
    body: (c) => campaign(c, { contacts: [{ phone: '+34 612 345 678 abc' }] }),
    field: 'contacts.0.phone',
  },

  // ---- other contact fields ------------------------------------------------
  {
    name: 'first_name a number',
    body: withContact({ first_name: 42 }),
    field: 'contacts.0.first_name',
  },
  {
    name: 'first_name over 100 characters',
    body: withContact({ first_name: 'a'.repeat(101) }),
    field: 'contacts.0.first_name',
  },
  {
    name: 'last_name a boolean',
    body: withContact({ last_name: true }),
    field: 'contacts.0.last_name',
  },
  {
    name: 'last_name an object',
    body: withContact({ last_name: { value: 'García' } }),
    field: 'contacts.0.last_name',
  },
  {
    name: 'email a number',
    body: withContact({ email: 7 }),
    field: 'contacts.0.email',
  },
  {
    name: 'email invalid',
    body: withContact({ email: 'ana-at-example.com' }),
    field: 'contacts.0.email',
    message: /^contacts\.0\.email: must be a valid email address$/,
  },
  {
    name: 'email over 254 characters',
    body: withContact({ email: `${'a'.repeat(64)}@${'b'.repeat(190)}.com` }),
    field: 'contacts.0.email',
  },
  {
    name: 'company over 200 characters',
    body: withContact({ company: 'c'.repeat(201) }),
    field: 'contacts.0.company',
  },
  {
    name: 'job_title an array',
    body: withContact({ job_title: ['CTO'] }),
    field: 'contacts.0.job_title',
  },
  {
    name: 'address over 500 characters',
    body: withContact({ address: 'a'.repeat(501) }),
    field: 'contacts.0.address',
  },
  {
    name: 'city over 100 characters',
    body: withContact({ city: 'm'.repeat(101) }),
    field: 'contacts.0.city',
  },
  {
    name: 'state a number',
    body: withContact({ state: 28 }),
    field: 'contacts.0.state',
  },
  {
    name: 'country a number',
    body: withContact({ country: 34 }),
    field: 'contacts.0.country',
  },
  {
    name: 'country an array of two letters',
    body: withContact({ country: ['E', 'S'] }),
    field: 'contacts.0.country',
  },
  {
    name: 'postal_code a number',
    body: withContact({ postal_code: 28013 }),
    field: 'contacts.0.postal_code',
  },
  {
    name: 'postal_code over 20 characters',
    body: withContact({ postal_code: '2'.repeat(21) }),
    field: 'contacts.0.postal_code',
  },
  {
    name: 'timezone not a zone ("Mars/Phobos")',
    body: withContact({ timezone: 'Mars/Phobos' }),
    field: 'contacts.0.timezone',
    message: /^contacts\.0\.timezone: must be a valid IANA time zone$/,
  },
  {
    // SPEC: "a valid IANA zone"; a bare UTC offset is not one.
    name: 'timezone a UTC offset ("+01:00")',
    body: withContact({ timezone: '+01:00' }),
    field: 'contacts.0.timezone',
  },
  {
    name: 'timezone a number',
    body: withContact({ timezone: 1 }),
    field: 'contacts.0.timezone',
  },
  {
    name: 'utm_source over 255 characters',
    body: withContact({ utm_source: 's'.repeat(256) }),
    field: 'contacts.0.utm_source',
  },
  {
    name: 'utm_medium an object',
    body: withContact({ utm_medium: { a: 1 } }),
    field: 'contacts.0.utm_medium',
  },
  {
    name: 'utm_campaign over 255 characters',
    body: withContact({ utm_campaign: 'c'.repeat(256) }),
    field: 'contacts.0.utm_campaign',
  },
  {
    name: 'utm_term a number',
    body: withContact({ utm_term: 3 }),
    field: 'contacts.0.utm_term',
  },
  {
    name: 'utm_content over 255 characters',
    body: withContact({ utm_content: 'x'.repeat(256) }),
    field: 'contacts.0.utm_content',
  },
  {
    name: 'first_name with a NUL character',
    body: withContact({ first_name: 'Ana\u0000' }),
    field: 'contacts.0.first_name',
  },

  // ---- custom_fields (null is allowed: it counts as absent) -----------------
  {
    name: 'custom_fields an array',
    body: withContact({ custom_fields: [1, 2] }),
    field: 'contacts.0.custom_fields',
  },
  {
    name: 'custom_fields a string',
    body: withContact({ custom_fields: '{"plan":"pro"}' }),
    field: 'contacts.0.custom_fields',
  },
  {
    name: 'custom_fields a number',
    body: withContact({ custom_fields: 5 }),
    field: 'contacts.0.custom_fields',
  },
  {
    name: 'custom_fields with a nested object value',
    body: withContact({ custom_fields: { address: { city: 'Madrid' } } }),
    field: 'contacts.0.custom_fields',
  },
  {
    name: 'custom_fields with an array value',
    body: withContact({ custom_fields: { tags: ['a', 'b'] } }),
    field: 'contacts.0.custom_fields',
  },
  {
    name: 'custom_fields with 51 keys',
    body: withContact({ custom_fields: manyKeys(51) }),
    field: 'contacts.0.custom_fields',
    message: /^contacts\.0\.custom_fields: must have at most 50 keys$/,
  },
  {
    name: 'custom_fields key over 64 characters',
    body: withContact({ custom_fields: { ['k'.repeat(65)]: 1 } }),
    field: 'contacts.0.custom_fields',
  },
  {
    name: 'custom_fields empty key',
    body: withContact({ custom_fields: { '': 1 } }),
    field: 'contacts.0.custom_fields',
  },
  {
    name: 'custom_fields string value over 1 000 characters',
    body: withContact({ custom_fields: { note: 'n'.repeat(1001) } }),
    field: 'contacts.0.custom_fields',
  },
  {
    name: 'custom_fields over 10 000 bytes in total',
    body: withContact({
      custom_fields: Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'.repeat(950)]),
      ),
    }),
    field: 'contacts.0.custom_fields',
    message: /must be at most 10000 bytes as JSON$/,
  },
  {
    name: 'custom_fields with a "__proto__" key',
    raw: rawContact('"custom_fields":{"__proto__":{"admin":true}}'),
    field: 'contacts.0.custom_fields.__proto__',
    message: /^contacts\.0\.custom_fields\.__proto__: is not an allowed key$/,
  },
  {
    name: 'custom_fields with a "prototype" key',
    raw: rawContact('"custom_fields":{"prototype":"x"}'),
    field: 'contacts.0.custom_fields.prototype',
  },
  {
    name: 'custom_fields with a "constructor" key',
    raw: rawContact('"custom_fields":{"constructor":"x"}'),
    field: 'contacts.0.custom_fields.constructor',
  },
  {
    name: 'custom_fields with a NUL character in a value',
    body: withContact({ custom_fields: { note: 'a\u0000b' } }),
    field: 'contacts.0.custom_fields.note',
  },
  {
    name: 'custom_fields with a lone surrogate in a value',
    body: withContact({ custom_fields: { note: '\ud800' } }),
    field: 'contacts.0.custom_fields.note',
  },

  // ---- launch_at -----------------------------------------------------------
  {
    name: 'launch_at a number',
    body: (c) => campaign(c, { launch_at: Date.now() + 3_600_000 }),
    field: 'launch_at',
  },
  {
    name: 'launch_at an object',
    body: (c) => campaign(c, { launch_at: { date: '2030-01-01' } }),
    field: 'launch_at',
  },
  {
    name: 'launch_at not ISO ("01/03/2030 10:00")',
    body: (c) => campaign(c, { launch_at: '01/03/2030 10:00' }),
    field: 'launch_at',
  },
  {
    name: 'launch_at empty string',
    body: (c) => campaign(c, { launch_at: '' }),
    field: 'launch_at',
  },
  {
    name: 'launch_at a date without time',
    body: (c) => campaign(c, { launch_at: `${NEXT_YEAR}-03-01` }),
    field: 'launch_at',
  },
  {
    name: 'launch_at an impossible date (2025-02-30T10:00:00)',
    body: (c) => campaign(c, { launch_at: '2025-02-30T10:00:00' }),
    field: 'launch_at',
    message: /^launch_at: "2025-02-30T10:00:00" is not a real date-time$/,
  },
  {
    name: 'launch_at more than 5 minutes in the past',
    body: (c) => campaign(c, { launch_at: iso(Date.now() - 6 * 60_000) }),
    field: 'launch_at',
    message: /^launch_at: must not be more than 5 minutes in the past$/,
  },
  {
    name: 'launch_at more than 1 year ahead',
    body: (c) => campaign(c, { launch_at: iso(Date.now() + 367 * 86_400_000) }),
    field: 'launch_at',
    message: /^launch_at: must not be more than 1 year ahead$/,
  },
  {
    name: 'launch_at with an impossible offset (+99:99)',
    body: (c) =>
      campaign(c, {
        launch_at: iso(Date.now() + 30 * 86_400_000).replace(
          /\.\d{3}Z$/,
          '+99:99',
        ),
      }),
    field: 'launch_at',
  },
  {
    name: 'launch_at an object with a "constructor" key',
    raw: (c) =>
      `{"playbook_id":"${c.pb}","launch_at":{"constructor":1},"contacts":[{"phone":"${PHONE}"}]}`,
    field: 'launch_at.constructor',
  },

  // ---- recall --------------------------------------------------------------
  {
    name: 'recall a malformed JSON string',
    body: (c) => campaign(c, { recall: '[30,' }),
    field: 'recall',
  },
  {
    name: 'recall a JSON string of a number',
    body: (c) => campaign(c, { recall: '30' }),
    field: 'recall',
  },
  {
    name: 'recall a JSON string of an object',
    body: (c) => campaign(c, { recall: '{"a":30}' }),
    field: 'recall',
  },
  {
    name: 'recall a number',
    body: (c) => campaign(c, { recall: 30 }),
    field: 'recall',
  },
  {
    name: 'recall an object',
    body: (c) => campaign(c, { recall: { first: 30 } }),
    field: 'recall',
  },
  {
    name: 'recall a boolean',
    body: (c) => campaign(c, { recall: true }),
    field: 'recall',
  },
  {
    name: 'recall with a non-integer',
    body: (c) => campaign(c, { recall: [30, 90.5] }),
    field: 'recall',
    message:
      /^recall: entry 1 must be a whole number of minutes from 1 to 43200$/,
  },
  {
    name: 'recall with a numeric string entry',
    body: (c) => campaign(c, { recall: [30, '120'] }),
    field: 'recall',
  },
  {
    name: 'recall with zero',
    body: (c) => campaign(c, { recall: [0, 30] }),
    field: 'recall',
  },
  {
    name: 'recall with a negative delay',
    body: (c) => campaign(c, { recall: '[-5]' }),
    field: 'recall',
  },
  {
    name: 'recall over 43 200 minutes',
    body: (c) => campaign(c, { recall: [30, 43_201] }),
    field: 'recall',
  },
  {
    name: 'recall not strictly increasing',
    body: (c) => campaign(c, { recall: [120, 30] }),
    field: 'recall',
    message: /^recall: delays must be strictly increasing$/,
  },
  {
    name: 'recall with duplicates',
    body: (c) => campaign(c, { recall: '[30,30]' }),
    field: 'recall',
  },
  {
    name: 'recall with 11 entries',
    body: (c) =>
      campaign(c, { recall: Array.from({ length: 11 }, (_, i) => i + 1) }),
    field: 'recall',
    message: /^recall: must have at most 10 entries$/,
  },
  {
    name: 'recall with a "constructor" object entry',
    raw: (c) =>
      `{"playbook_id":"${c.pb}","recall":[{"constructor":1}],"contacts":[{"phone":"${PHONE}"}]}`,
    field: 'recall.0.constructor',
  },

  // ---- timezone and calling_window (extensions to the seed) ----------------
  {
    name: 'timezone not a zone ("Mars/Phobos")',
    body: (c) => campaign(c, { timezone: 'Mars/Phobos' }),
    field: 'timezone',
    message: /^timezone: must be a valid IANA time zone$/,
  },
  {
    name: 'timezone a UTC offset ("+01:00")',
    body: (c) => campaign(c, { timezone: '+01:00' }),
    field: 'timezone',
  },
  {
    name: 'timezone too long (65 characters)',
    body: (c) => campaign(c, { timezone: `Europe/${'M'.repeat(58)}` }),
    field: 'timezone',
    message: /^timezone: must be shorter than or equal to 64 characters$/,
  },
  {
    name: 'timezone a number',
    body: (c) => campaign(c, { timezone: 1 }),
    field: 'timezone',
  },
  {
    name: 'timezone an object',
    body: (c) => campaign(c, { timezone: { name: 'Europe/Madrid' } }),
    field: 'timezone',
  },
  {
    name: 'calling_window a string',
    body: (c) => campaign(c, { calling_window: '09:00-18:00' }),
    field: 'calling_window',
    message: /^calling_window: must be an object \{ start, end, days \}/,
  },
  {
    name: 'calling_window an array',
    body: (c) =>
      campaign(c, { calling_window: ['09:00', '18:00', [1, 2, 3, 4, 5]] }),
    field: 'calling_window',
  },
  {
    name: 'calling_window a number',
    body: (c) => campaign(c, { calling_window: 9 }),
    field: 'calling_window',
  },
  {
    name: 'calling_window start after end',
    body: (c) =>
      campaign(c, {
        calling_window: aWindow({ start: '18:00', end: '09:00' }),
      }),
    field: 'calling_window.start',
    message: /^calling_window\.start: "18:00" must be before end "09:00"$/,
  },
  {
    name: 'calling_window start equal to end',
    body: (c) =>
      campaign(c, {
        calling_window: aWindow({ start: '12:00', end: '12:00' }),
      }),
    field: 'calling_window.start',
  },
  {
    name: 'calling_window start not HH:mm ("9:00")',
    body: (c) => campaign(c, { calling_window: aWindow({ start: '9:00' }) }),
    field: 'calling_window.start',
    message:
      /^calling_window\.start: "9:00" must be a time "HH:mm" between 00:00 and 23:59$/,
  },
  {
    name: 'calling_window start with seconds ("09:00:00")',
    body: (c) =>
      campaign(c, { calling_window: aWindow({ start: '09:00:00' }) }),
    field: 'calling_window.start',
  },
  {
    name: 'calling_window start 24:00',
    body: (c) =>
      campaign(c, {
        calling_window: aWindow({ start: '24:00', end: '24:00' }),
      }),
    field: 'calling_window.start',
  },
  {
    name: 'calling_window start a number (900)',
    body: (c) => campaign(c, { calling_window: aWindow({ start: 900 }) }),
    field: 'calling_window.start',
  },
  {
    name: 'calling_window start missing',
    body: (c) =>
      campaign(c, { calling_window: { end: '18:00', days: [1, 2, 3] } }),
    field: 'calling_window.start',
    message: /^calling_window\.start: is required$/,
  },
  {
    name: 'calling_window end minute 60 ("17:60")',
    body: (c) => campaign(c, { calling_window: aWindow({ end: '17:60' }) }),
    field: 'calling_window.end',
  },
  {
    name: 'calling_window end past midnight ("24:30")',
    body: (c) => campaign(c, { calling_window: aWindow({ end: '24:30' }) }),
    field: 'calling_window.end',
    message: /^calling_window\.end: "24:30" must be a time "HH:mm"/,
  },
  {
    name: 'calling_window end missing',
    body: (c) =>
      campaign(c, { calling_window: { start: '09:00', days: [1, 2, 3] } }),
    field: 'calling_window.end',
  },
  {
    name: 'calling_window days empty',
    body: (c) => campaign(c, { calling_window: aWindow({ days: [] }) }),
    field: 'calling_window.days',
    message: /^calling_window\.days: must be a non-empty array of ISO weekdays/,
  },
  {
    name: 'calling_window days missing',
    body: (c) =>
      campaign(c, { calling_window: { start: '09:00', end: '18:00' } }),
    field: 'calling_window.days',
    message: /^calling_window\.days: is required$/,
  },
  {
    name: 'calling_window days a string ("1-5")',
    body: (c) => campaign(c, { calling_window: aWindow({ days: '1-5' }) }),
    field: 'calling_window.days',
  },
  {
    name: 'calling_window days with 0',
    body: (c) => campaign(c, { calling_window: aWindow({ days: [0, 1] }) }),
    field: 'calling_window.days.0',
    message: /^calling_window\.days\.0: 0 is not an ISO weekday/,
  },
  {
    name: 'calling_window days with 8',
    body: (c) => campaign(c, { calling_window: aWindow({ days: [1, 8] }) }),
    field: 'calling_window.days.1',
  },
  {
    name: 'calling_window days with a duplicate',
    body: (c) => campaign(c, { calling_window: aWindow({ days: [1, 2, 2] }) }),
    field: 'calling_window.days.2',
    message: /^calling_window\.days\.2: 2 is given more than once$/,
  },
  {
    name: 'calling_window days with more than 7 entries',
    body: (c) =>
      campaign(c, {
        calling_window: aWindow({ days: [1, 2, 3, 4, 5, 6, 7, 1] }),
      }),
    field: 'calling_window.days',
    message: /^calling_window\.days: must have at most 7 days/,
  },
  {
    name: 'calling_window days with a non-integer (1.5)',
    body: (c) => campaign(c, { calling_window: aWindow({ days: [1.5] }) }),
    field: 'calling_window.days.0',
  },
  {
    name: 'calling_window days with a numeric string ("1")',
    body: (c) => campaign(c, { calling_window: aWindow({ days: ['1', 2] }) }),
    field: 'calling_window.days.0',
  },
  {
    name: 'calling_window days with null',
    body: (c) => campaign(c, { calling_window: aWindow({ days: [1, null] }) }),
    field: 'calling_window.days.1',
  },
  {
    name: 'calling_window with an unknown key (timezone)',
    body: (c) =>
      campaign(c, {
        calling_window: aWindow({ timezone: 'Europe/Madrid' }),
      }),
    field: 'calling_window.timezone',
    message: /^calling_window\.timezone: is not a known field$/,
  },
  {
    name: 'calling_window with an unknown key named like Object.prototype.toString',
    body: (c) => campaign(c, { calling_window: aWindow({ toString: 'x' }) }),
    field: 'calling_window.toString',
  },
  {
    name: '"__proto__" inside calling_window',
    raw: (c) =>
      `{"playbook_id":"${c.pb}","contacts":[{"phone":"${PHONE}"}],"calling_window":{"start":"09:00","end":"18:00","days":[1],"__proto__":{"x":1}}}`,
    field: 'calling_window.__proto__',
  },
  {
    name: 'unknown top-level field callingWindow',
    body: (c) => campaign(c, { callingWindow: aWindow() }),
    field: 'callingWindow',
    message: /^callingWindow: is not a known field$/,
  },

  // ---- unknown fields ------------------------------------------------------
  {
    name: 'unknown top-level field launchAt',
    body: (c) => campaign(c, { launchAt: '2030-01-01T10:00:00Z' }),
    field: 'launchAt',
    message: /^launchAt: is not a known field$/,
  },
  {
    name: 'unknown top-level field playbookId',
    body: (c) => campaign(c, { playbookId: c.pb }),
    field: 'playbookId',
  },
  {
    name: 'unknown contact field phone_number (and so no phone)',
    body: (c) => campaign(c, { contacts: [{ phone_number: PHONE }] }),
    field: 'contacts.0.phone_number',
  },
  {
    name: '"__proto__" at top level',
    raw: (c) =>
      `{"playbook_id":"${c.pb}","contacts":[{"phone":"${PHONE}"}],"__proto__":{"admin":true}}`,
    field: '__proto__',
  },
  {
    name: '"constructor" at top level',
    raw: (c) =>
      `{"playbook_id":"${c.pb}","contacts":[{"phone":"${PHONE}"}],"constructor":{"name":"x"}}`,
    field: 'constructor',
  },
  {
    name: '"__proto__" inside a contact',
    raw: rawContact('"__proto__":{"first_name":"x"}'),
    field: 'contacts.0.__proto__',
  },
  {
    name: 'unknown top-level field named like Object.prototype.toString',
    body: (c) => campaign(c, { toString: 'x' }),
    field: 'toString',
  },
  {
    name: 'unknown contact field named like Object.prototype.hasOwnProperty',
    body: withContact({ hasOwnProperty: 1 }),
    field: 'contacts.0.hasOwnProperty',
  },

  // ---- the body itself -----------------------------------------------------
  {
    name: 'malformed JSON',
    raw: () => '{bad',
    field: 'body',
    parser: true,
  },
  {
    name: 'a JSON string body',
    raw: () => '"hello"',
    field: 'body',
    parser: true,
  },
  {
    name: 'a null body',
    raw: () => 'null',
    field: 'body',
    parser: true,
  },
  {
    name: 'a JSON array body',
    raw: (c) => `[{"playbook_id":"${c.pb}","contacts":[{"phone":"${PHONE}"}]}]`,
    field: 'body',
  },
  {
    name: 'Content-Type text/plain',
    raw: (c) => JSON.stringify(campaign(c)),
    contentType: 'text/plain',
    status: 415,
    field: 'body',
    parser: true,
  },
  {
    name: 'Content-Type application/x-www-form-urlencoded',
    raw: (c) => `playbook_id=${c.pb}&contacts=${PHONE}`,
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    field: 'body',
    parser: true,
  },
  {
    name: 'unsupported charset',
    raw: (c) => JSON.stringify(campaign(c)),
    contentType: 'application/json; charset=latin1',
    status: 415,
    field: 'body',
    parser: true,
  },
  {
    name: 'body over 16 MB',
    raw: oversizedBody,
    status: 413,
    field: 'body',
    parser: true,
  },
];

export const label = (c: BadInput): string =>
  `${c.name} -> ${c.status ?? 400} ${c.field}`;

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The 4xx lines name the case's field, with its message when it has one. */
export function expectLinesToName(c: BadInput, lines: string[]): void {
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(`^${escapeRegExp(c.field)}: `),
    ]),
  );
  if (c.message) {
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(c.message)]),
    );
  }
}

/** Five failing fields at once, and a good contact among the bad ones. */
export const severalBadFields = (c: Ctx): unknown =>
  campaign(c, {
    contacts: [
      { phone: '12', country: 'ES' },
      { phone: '+34612345678' },
      { phone: '+34612345679', email: 'not-an-email' },
    ],
    recall: [120, 30],
    launch_at: 'tomorrow',
    launchAt: 'now',
  });

/** The 400 of {@link severalBadFields}: each named, the good contact not. */
export function expectSeveralBadFields(fields: string[], lines: string[]) {
  expect(fields).toEqual(
    expect.arrayContaining([
      'contacts.0.phone',
      'contacts.2.email',
      'recall',
      'launch_at',
      'launchAt',
    ]),
  );
  expect(fields.some((f) => f.startsWith('contacts.1'))).toBe(false);
  expect(lines).toEqual(
    expect.arrayContaining([
      'contacts.0.phone: "12" is not a valid phone number',
      'contacts.2.email: must be a valid email address',
    ]),
  );
}

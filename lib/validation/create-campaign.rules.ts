import { CONTACT_TEXT_FIELDS } from '../contacts/contact-fields';
import { CAMPAIGN_OPTION_DEFAULTS } from '../options/resolve-campaign-options';

/*
 * Every limit and message of the `POST /campaign` body: read by the DTOs
 * (validators and OpenAPI), the pipe and the parsers. Limits that the module
 * options can change (contacts, recall) are given as their defaults.
 */

/** The fields of a campaign body; any other key is a 400 ({@link UNKNOWN_FIELD}). */
export const CAMPAIGN_BODY_FIELDS = [
  'playbook_id',
  'contacts',
  'launch_at',
  'recall',
  // Extensions to the seed.
  'timezone',
  'calling_window',
] as const;
export type CampaignBodyField = (typeof CAMPAIGN_BODY_FIELDS)[number];

/** The fields of one contact. */
export const CONTACT_BODY_FIELDS = [
  'phone',
  ...CONTACT_TEXT_FIELDS,
  'custom_fields',
] as const;

export const UNKNOWN_FIELD = 'is not a known field';

export const BODY_RULES = {
  /**
   * Deepest nesting a body may have (the deepest valid field,
   * `contacts.0.custom_fields.key`, is at level 4): class-transformer
   * recurses and overflows the stack around a thousand levels.
   */
  maxDepth: 16,
  messages: {
    notObject: 'must be a JSON object',
    tooDeep: (depth: number) => `nests deeper than ${depth} levels`,
    forbiddenKey: 'is not an allowed key',
    badCharacters: 'contains characters that are not allowed',
    badKeyCharacters: 'has a key with characters that are not allowed',
  },
} as const;

export const PLAYBOOK_ID_RULES = { message: 'must be a UUID' } as const;

export const CONTACTS_RULES = {
  defaultMax: CAMPAIGN_OPTION_DEFAULTS.maxContactsPerCampaign,
  messages: {
    required: 'is required',
    notArray: 'must be an array',
    empty: 'must contain at least 1 contact',
    tooMany: (max: number) => `must contain at most ${max} contacts`,
    itemNotObject: 'must be an object',
  },
} as const;

export const PHONE_RULES = {
  maxLength: 32,
  messages: {
    invalid: (raw: string) => `"${raw}" is not a valid phone number`,
    noCountry: (raw: string) =>
      `"${raw}" has no country code: use E.164 (+34612345678) or give the contact an ISO 3166 alpha-2 country`,
  },
} as const;

export const EMAIL_RULES = {
  message: 'must be a valid email address',
} as const;

/** `timezone` of the campaign and of a contact. */
export const TIME_ZONE_RULES = {
  maxLength: 64,
  message: 'must be a valid IANA time zone',
} as const;

export const LAUNCH_AT_RULES = {
  maxPastMs: 5 * 60 * 1000,
  maxAheadYears: 1,
  messages: {
    format:
      'must be an ISO 8601 date-time such as 2025-03-01T10:00:00 or 2025-03-01T10:00:00Z',
    notReal: (input: string) => `"${input}" is not a real date-time`,
    tooEarly: 'must not be more than 5 minutes in the past',
    tooLate: 'must not be more than 1 year ahead',
  },
} as const;

export const RECALL_RULES = {
  defaults: CAMPAIGN_OPTION_DEFAULTS.recall,
  messages: {
    shape:
      'must be an array of minutes such as [30,120], or that array as a JSON string',
    tooMany: (max: number) => `must have at most ${max} entries`,
    entry: (index: number, maxMinutes: number) =>
      `entry ${index} must be a whole number of minutes from 1 to ${maxMinutes}`,
    notIncreasing: 'delays must be strictly increasing',
  },
} as const;

/** The object form; its parts follow the module's calling-window rules. */
export const CALLING_WINDOW_RULES = {
  fields: ['start', 'end', 'days'] as const,
  messages: {
    shape:
      'must be an object { start, end, days } such as { "start": "09:00", "end": "18:00", "days": [1, 2, 3, 4, 5] }',
  },
} as const;

export const CUSTOM_FIELDS_RULES = {
  maxKeys: 50,
  maxKeyLength: 64,
  maxStringLength: 1_000,
  maxJsonBytes: 10_000,
  /** Keys that could reach an object's prototype, refused at any depth. */
  forbiddenKeys: ['__proto__', 'constructor', 'prototype'] as const,
  messages: {
    shape: 'must be an object of string, number, boolean or null values',
    tooManyKeys: (max: number) => `must have at most ${max} keys`,
    forbiddenKey: (key: string) => `key "${key}" is not allowed`,
    keyLength: (max: number) => `keys must be 1 to ${max} characters`,
    stringTooLong: (key: string, max: number) =>
      `"${key}" must be at most ${max} characters`,
    notFinite: (key: string) => `"${key}" must be a finite number`,
    badValue: (key: string) =>
      `"${key}" must be a string, number, boolean or null`,
    tooBig: (max: number) => `must be at most ${max} bytes as JSON`,
  },
} as const;

/** `10000` → `10 000`, as the descriptions write numbers. */
export const spaced = (n: number): string =>
  String(n).replace(/\B(?=(\d{3})+$)/g, ' ');

/**
 * How a contact field is checked beyond "a string of at most `maxLength`":
 * `email` an email address, `timezone` an IANA zone.
 */
export type ContactFieldKind = 'text' | 'email' | 'timezone';

export interface ContactFieldRule {
  maxLength: number;
  /** For the OpenAPI document. */
  description: string;
  example: string;
  kind: ContactFieldKind;
}

/**
 * The optional contact fields of seed 3.3 besides `custom_fields`, in the
 * seed's order: the one list the request DTO, the pipe, the stored columns
 * (same names), the SQL and the dialers' contact are made from.
 */
export const CONTACT_FIELDS = {
  first_name: text(100, 'First name', 'Ana'),
  last_name: text(100, 'Last name', 'García'),
  email: {
    maxLength: 254,
    description: 'Email address',
    example: 'ana@example.com',
    kind: 'email',
  },
  company: text(200, 'Company', 'Acme'),
  job_title: text(200, 'Job title', 'CTO'),
  address: text(500, 'Address', 'Calle Mayor 1'),
  city: text(100, 'City', 'Madrid'),
  state: text(100, 'State / province', 'Madrid'),
  country: text(
    100,
    'Country; an ISO 3166 alpha-2 code (`ES`) also sets the region of a national `phone`',
    'ES',
  ),
  postal_code: text(20, 'Postal code', '28013'),
  timezone: {
    maxLength: 64,
    description:
      'Time zone of the contact, a valid IANA zone (`Europe/Madrid`): calls are placed inside the calling window in this zone',
    example: 'Europe/Madrid',
    kind: 'timezone',
  },
  utm_source: text(255, 'UTM source', 'crm'),
  utm_medium: text(255, 'UTM medium', 'email'),
  utm_campaign: text(255, 'UTM campaign', 'spring'),
  utm_term: text(255, 'UTM term', 'voice'),
  utm_content: text(255, 'UTM content', 'v1'),
} as const satisfies Record<string, ContactFieldRule>;

export type ContactTextField = keyof typeof CONTACT_FIELDS;

/** The names of {@link CONTACT_FIELDS}, in order. */
export const CONTACT_TEXT_FIELDS = Object.keys(
  CONTACT_FIELDS,
) as readonly ContactTextField[];

/** A stored contact's fields, null when never given. */
export type ContactFieldValues = Record<ContactTextField, string | null>;

/** `first_name` → `firstName`: the entity's property for a field. */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<CamelCase<T>>}`
  : S;

export function isContactTextField(name: string): name is ContactTextField {
  return Object.hasOwn(CONTACT_FIELDS, name);
}

function text(
  maxLength: number,
  description: string,
  example: string,
): ContactFieldRule & { kind: 'text' } {
  return { maxLength, description, example, kind: 'text' };
}

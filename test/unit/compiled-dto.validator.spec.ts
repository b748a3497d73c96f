/**
 * The fast contact check (CompiledDtoValidator over CampaignContactDto) gives
 * exactly what class-transformer + class-validator give for the DTO: every
 * contact of the validation catalogue, and a set of valid and edge contacts,
 * through both paths.
 */
import { plainToInstance } from 'class-transformer';
import { IsInt, Min, validateSync } from 'class-validator';
import { CampaignContactDto } from '../../lib/http/dto/campaign-contact.dto';
import { scanBody } from '../../lib/validation/body-scan';
import { CompiledDtoValidator } from '../../lib/validation/compiled-dto.validator';
import { flattenValidationErrors } from '../../lib/validation/field-problem';
import { CASES, PHONE, type Ctx } from '../support/create-campaign-bad-inputs';

const ctx: Ctx = { pb: '3f2b8c1e-7d4a-4e9b-8c21-5a6d7e8f9a0b' };
const compiled = new CompiledDtoValidator(CampaignContactDto);

/** The reference: what the pipe did before, per contact. */
function reference(item: Record<string, unknown>, path: string) {
  const dto = plainToInstance(CampaignContactDto, item);
  const errors = validateSync(dto, {
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  return { dto, problems: flattenValidationErrors(errors, path) };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every distinct contact object of the catalogue's bodies that reaches the
 * DTO checks (hostile keys are answered before either path runs).
 */
function catalogueContacts(): [string, Record<string, unknown>][] {
  const found: [string, Record<string, unknown>][] = [];
  const seen = new Set<string>();
  for (const c of CASES) {
    let body: unknown;
    try {
      body = c.raw ? JSON.parse(c.raw(ctx)) : c.body?.(ctx);
    } catch {
      continue; // Malformed JSON: no contact to check.
    }
    if (!isObject(body) || !Array.isArray(body.contacts)) continue;
    body.contacts.forEach((item, i) => {
      if (!isObject(item) || scanBody(item, '', 2).length) return;
      const key = JSON.stringify(item);
      if (seen.has(key)) return;
      seen.add(key);
      found.push([`${c.name} #${i}`, item]);
    });
  }
  return found;
}

const EDGE_CONTACTS: [string, Record<string, unknown>][] = [
  ['phone only', { phone: PHONE }],
  [
    'every field',
    {
      phone: ' +34 612 34 56 78 ',
      first_name: ' Ana ',
      last_name: 'García',
      email: 'ana@example.com',
      company: 'Acme',
      job_title: 'CTO',
      address: 'Calle Mayor 1',
      city: 'Madrid',
      state: 'Madrid',
      country: 'ES',
      postal_code: '28013',
      timezone: 'Europe/Madrid',
      utm_source: 'crm',
      utm_medium: 'email',
      utm_campaign: 'spring',
      utm_term: 'voice',
      utm_content: 'v1',
      custom_fields: { plan: 'pro', seats: 12, vip: true, note: null },
    },
  ],
  ['blank and null fields', { phone: PHONE, first_name: '   ', city: null }],
  [
    'wrong types everywhere',
    {
      phone: 34612345678,
      first_name: 7,
      email: ['a@b.c'],
      timezone: { zone: 'UTC' },
      custom_fields: 'x',
    },
  ],
  [
    'too long',
    {
      phone: '1'.repeat(40),
      first_name: 'a'.repeat(101),
      email: `${'a'.repeat(250)}@x.io`,
    },
  ],
  ['no phone', { first_name: 'Ana' }],
  ['empty phone', { phone: '' }],
  [
    'bad email and zone',
    { phone: PHONE, email: 'nope', timezone: 'Mars/Phobos' },
  ],
  ['unknown keys', { phone: PHONE, phone_number: '1', toString: 'x' }],
];

describe('CompiledDtoValidator equals class-transformer + class-validator for CampaignContactDto', () => {
  const contacts = [...catalogueContacts(), ...EDGE_CONTACTS];

  it('covers the catalogue (at least 20 contacts)', () => {
    expect(catalogueContacts().length).toBeGreaterThanOrEqual(20);
  });

  it.each(contacts)('%s', (_, item) => {
    const expected = reference(item, 'contacts.0');
    const actual = compiled.check(item, 'contacts.0');
    expect(actual.problems).toEqual(expected.problems);
    for (const key of Object.keys(actual.value)) {
      expect((actual.value as Record<string, unknown>)[key]).toEqual(
        (expected.dto as unknown as Record<string, unknown>)[key],
      );
    }
  });

  it('refuses a DTO with decorators it does not run, at construction', () => {
    class Nested {
      @IsInt({ each: true })
      @Min(1)
      n!: number[];
    }
    expect(() => new CompiledDtoValidator(Nested)).toThrow(/not supported/);
  });
});

import type { CountryCode } from 'libphonenumber-js/max';
import {
  CONTACT_TEXT_FIELDS,
  type NewContact,
} from '../campaigns/new-campaign.interface';
import { CampaignContactDto } from '../http/dto/campaign-contact.dto';
import { scanBody, unknownKeys } from './body-scan';
import { CompiledDtoValidator } from './compiled-dto.validator';
import { CONTACT_BODY_FIELDS, CONTACTS_RULES } from './create-campaign.rules';
import type { FieldProblem } from './field-problem';
import { normalizePhoneNumber, toCountryCode } from './phone-number.normalizer';

const CONTACT_FIELDS: ReadonlySet<string> = new Set(CONTACT_BODY_FIELDS);

/** Where a contact sits in a body: `body.contacts[i]`. */
const CONTACT_DEPTH = 2;

/** One contact checked: the contact when valid, else its problems. */
export type ContactCheck =
  | { ok: true; contact: NewContact }
  | { ok: false; problems: FieldProblem[]; hostile: boolean };

let compiled: CompiledDtoValidator<CampaignContactDto> | undefined;

/**
 * Checks one item of `contacts` by the rules of {@link CampaignContactDto}
 * (through {@link CompiledDtoValidator}) and normalizes its phone: the one
 * contact check of JSON arrays, streamed JSON and CSV rows.
 */
export class ContactValidator {
  private readonly dto = (compiled ??= new CompiledDtoValidator(
    CampaignContactDto,
  ));

  constructor(private readonly defaultCountry: CountryCode | undefined) {}

  check(item: unknown, index: number): ContactCheck {
    const path = `contacts.${index}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return {
        ok: false,
        problems: [
          { field: path, message: CONTACTS_RULES.messages.itemNotObject },
        ],
        hostile: false,
      };
    }
    const plain = item as Record<string, unknown>;
    // Hostile keys are answered alone (see the pipe).
    const hostile = scanBody(plain, path, CONTACT_DEPTH);
    if (hostile.length) return { ok: false, problems: hostile, hostile: true };
    const problems = unknownKeys(plain, CONTACT_FIELDS, `${path}.`);
    const { value, problems: found } = this.dto.check(plain, path);
    problems.push(...found);
    const contact = this.toNewContact(value, path, problems);
    return problems.length
      ? { ok: false, problems, hostile: false }
      : { ok: true, contact };
  }

  private toNewContact(
    dto: Partial<CampaignContactDto>,
    path: string,
    problems: FieldProblem[],
  ): NewContact {
    const contact: NewContact = { phone: dto.phone as string, fields: {} };
    for (const field of CONTACT_TEXT_FIELDS) {
      const value = dto[field];
      if (value !== undefined) contact.fields[field] = value;
    }
    if (dto.custom_fields !== undefined && dto.custom_fields !== null) {
      contact.customFields = dto.custom_fields;
    }
    if (!problems.some((p) => p.field === `${path}.phone`)) {
      const phone = normalizePhoneNumber(
        contact.phone,
        toCountryCode(dto.country),
        this.defaultCountry,
      );
      if (phone.ok) contact.phone = phone.value;
      else problems.push({ field: `${path}.phone`, message: phone.error });
    }
    return contact;
  }
}

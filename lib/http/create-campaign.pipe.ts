import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import {
  CONTACT_TEXT_FIELDS,
  type NewCampaign,
  type NewContact,
} from '../campaigns/new-campaign.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { scanBody, unknownKeys } from '../validation/body-scan';
import { parseCampaignCallingWindow } from '../validation/calling-window.parser';
import {
  withCreateCampaignContext,
  type CreateCampaignContext,
} from '../validation/create-campaign.context';
import {
  BODY_RULES,
  CAMPAIGN_BODY_FIELDS,
  CONTACT_BODY_FIELDS,
  CONTACTS_RULES,
} from '../validation/create-campaign.rules';
import {
  flattenValidationErrors,
  InvalidCampaignRequestException,
  type FieldProblem,
} from '../validation/field-problem';
import { parseLaunchAt } from '../validation/launch-at.parser';
import {
  normalizePhoneNumber,
  toCountryCode,
} from '../validation/phone-number.normalizer';
import { parseRecall } from '../validation/recall.parser';
import { canonicalTimeZone } from '../validation/time-zone.validator';
import { CampaignContactDto } from './dto/campaign-contact.dto';
import { CreateCampaignDto } from './dto/create-campaign.dto';

const VALIDATION: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

// Checked by hand as well: class-transformer silently drops keys such as
// `toString` that its target already has, so the whitelist never sees them.
const CAMPAIGN_FIELDS: ReadonlySet<string> = new Set(CAMPAIGN_BODY_FIELDS);
const CONTACT_FIELDS: ReadonlySet<string> = new Set(CONTACT_BODY_FIELDS);

/** Named after the contacts' problems, in this order (as they always were). */
const AFTER_CONTACTS = ['recall', 'launch_at'];

const YIELD_EVERY = 1_000;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks the whole `POST /campaign` body (every rule, every field) and turns
 * it into a {@link NewCampaign}. Throws one 400 naming every failing field.
 */
@Injectable()
export class CreateCampaignPipe implements PipeTransform<
  unknown,
  Promise<NewCampaign>
> {
  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {}

  async transform(body: unknown): Promise<NewCampaign> {
    if (!isPlainObject(body)) {
      throw new InvalidCampaignRequestException([
        { field: 'body', message: BODY_RULES.messages.notObject },
      ]);
    }
    // Hostile keys must not reach class-transformer: answer them alone.
    const hostile = scanBody(body);
    if (hostile.length) throw new InvalidCampaignRequestException(hostile);

    const context: CreateCampaignContext = {
      recall: this.options.recall,
      defaultTimezone: this.options.defaultTimezone,
      now: new Date(),
    };
    const problems = unknownKeys(body, CAMPAIGN_FIELDS, '');
    const header = withCreateCampaignContext(
      plainToInstance(CreateCampaignDto, { ...body, contacts: [] }),
      context,
    );
    const found = flattenValidationErrors(validateSync(header, VALIDATION));
    const late = (p: FieldProblem) => AFTER_CONTACTS.indexOf(p.field);
    problems.push(...found.filter((p) => late(p) < 0));
    const contacts = await this.readContacts(body.contacts, problems);
    problems.push(
      ...found.filter((p) => late(p) >= 0).sort((a, b) => late(a) - late(b)),
    );
    const recall = parseRecall(body.recall, context.recall);
    const launchAt = parseLaunchAt(
      body.launch_at,
      context.defaultTimezone,
      context.now,
    );
    const callingWindow = parseCampaignCallingWindow(body.calling_window);
    if (!callingWindow.ok) problems.push(...callingWindow.problems);
    if (problems.length || !recall.ok || !launchAt.ok || !callingWindow.ok) {
      throw new InvalidCampaignRequestException(uniqueProblems(problems));
    }
    return {
      playbookId: header.playbook_id.toLowerCase(),
      contacts,
      launchAt: launchAt.value,
      recall: recall.value,
      timezone:
        header.timezone === undefined
          ? null
          : (canonicalTimeZone(header.timezone) ?? null),
      callingWindow: callingWindow.value,
    };
  }

  /** Checks `contacts` and each contact; pushes what fails onto `problems`. */
  private async readContacts(
    value: unknown,
    problems: FieldProblem[],
  ): Promise<NewContact[]> {
    const max = this.options.maxContactsPerCampaign;
    const { messages } = CONTACTS_RULES;
    const fail = (message: string): NewContact[] => {
      problems.push({ field: 'contacts', message });
      return [];
    };
    if (value === undefined || value === null) return fail(messages.required);
    if (!Array.isArray(value)) return fail(messages.notArray);
    if (value.length === 0) return fail(messages.empty);
    if (value.length > max) return fail(messages.tooMany(max));
    const contacts: NewContact[] = [];
    for (let i = 0; i < value.length; i++) {
      // A 10 000-contact body takes a while: let other requests and ticks in.
      if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
      const item: unknown = value[i];
      const path = `contacts.${i}`;
      if (!isPlainObject(item)) {
        problems.push({ field: path, message: messages.itemNotObject });
        continue;
      }
      const found = unknownKeys(item, CONTACT_FIELDS, `${path}.`);
      const dto = plainToInstance(CampaignContactDto, item);
      found.push(
        ...flattenValidationErrors(validateSync(dto, VALIDATION), path),
      );
      contacts.push(this.toNewContact(dto, path, found));
      problems.push(...found);
    }
    return contacts;
  }

  private toNewContact(
    dto: CampaignContactDto,
    path: string,
    problems: FieldProblem[],
  ): NewContact {
    const contact: NewContact = { phone: dto.phone, fields: {} };
    for (const field of CONTACT_TEXT_FIELDS) {
      const value = dto[field];
      if (value !== undefined) contact.fields[field] = value;
    }
    if (dto.custom_fields !== undefined && dto.custom_fields !== null) {
      contact.customFields = dto.custom_fields;
    }
    if (!problems.some((p) => p.field === `${path}.phone`)) {
      const phone = normalizePhoneNumber(
        dto.phone,
        toCountryCode(dto.country),
        this.options.defaultCountry,
      );
      if (phone.ok) contact.phone = phone.value;
      else problems.push({ field: `${path}.phone`, message: phone.error });
    }
    return contact;
  }
}

/** The same field and message once, in first-seen order. */
function uniqueProblems(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

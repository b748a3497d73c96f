import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import {
  CONTACT_TEXT_FIELDS,
  type NewCampaign,
  type NewContact,
} from '../campaigns/new-campaign.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { FORBIDDEN_KEYS } from '../validation/custom-fields.validator';
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
import type { CampaignContactDto } from './dto/campaign-contact.dto';
import { CreateCampaignDto } from './dto/create-campaign.dto';

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
    const shapeProblems = this.checkShape(body);
    if (shapeProblems.length) {
      throw new InvalidCampaignRequestException(shapeProblems);
    }
    const dto = plainToInstance(CreateCampaignDto, body);
    const problems = flattenValidationErrors(
      await validate(dto, {
        whitelist: true,
        forbidNonWhitelisted: true,
        forbidUnknownValues: true,
        validationError: { target: false, value: false },
      }),
    );
    const failed = new Set(problems.map((p) => p.field));
    const contacts = dto.contacts.map((contact, i) =>
      this.toNewContact(contact, `contacts.${i}`, failed, problems),
    );
    const recall = parseRecall(dto.recall, this.options.recall);
    if (!recall.ok) problems.push({ field: 'recall', message: recall.error });
    const launchAt = parseLaunchAt(
      dto.launch_at,
      this.options.defaultTimezone,
      new Date(),
    );
    if (!launchAt.ok) {
      problems.push({ field: 'launch_at', message: launchAt.error });
    }
    if (problems.length || !recall.ok || !launchAt.ok) {
      throw new InvalidCampaignRequestException(problems);
    }
    return {
      playbookId: dto.playbook_id.toLowerCase(),
      contacts,
      launchAt: launchAt.value,
      recall: recall.value,
    };
  }

  /** What must hold before the body may be handed to class-transformer. */
  private checkShape(body: unknown): FieldProblem[] {
    if (!isPlainObject(body)) {
      return [{ field: 'body', message: 'must be a JSON object' }];
    }
    const problems = forbiddenKeys(body, '');
    const { contacts } = body;
    if (contacts === undefined || contacts === null) {
      problems.push({ field: 'contacts', message: 'is required' });
    } else if (!Array.isArray(contacts)) {
      problems.push({ field: 'contacts', message: 'must be an array' });
    } else if (contacts.length === 0) {
      problems.push({
        field: 'contacts',
        message: 'must contain at least 1 contact',
      });
    } else if (contacts.length > this.options.maxContactsPerCampaign) {
      problems.push({
        field: 'contacts',
        message: `must contain at most ${this.options.maxContactsPerCampaign} contacts`,
      });
    } else {
      contacts.forEach((contact: unknown, i) => {
        if (!isPlainObject(contact)) {
          problems.push({
            field: `contacts.${i}`,
            message: 'must be an object',
          });
        } else {
          problems.push(...forbiddenKeys(contact, `contacts.${i}.`));
        }
      });
    }
    return problems;
  }

  private toNewContact(
    dto: CampaignContactDto,
    path: string,
    failed: Set<string>,
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
    if (!failed.has(`${path}.phone`)) {
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

function forbiddenKeys(
  value: Record<string, unknown>,
  prefix: string,
): FieldProblem[] {
  return Object.keys(value)
    .filter((key) => FORBIDDEN_KEYS.has(key))
    .map((key) => ({
      field: `${prefix}${key}`,
      message: 'is not a known field',
    }));
}

import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type {
  ImportedCampaign,
  NewCampaign,
} from '../campaigns/new-campaign.interface';
import { CampaignImport } from '../imports/campaign-import';
import { newCampaignImport } from '../imports/campaign-import.reader';
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
  CONTACTS_RULES,
} from '../validation/create-campaign.rules';
import {
  flattenValidationErrors,
  InvalidCampaignRequestException,
  type FieldProblem,
} from '../validation/field-problem';
import { parseLaunchAt } from '../validation/launch-at.parser';
import { parseRecall } from '../validation/recall.parser';
import { canonicalTimeZone } from '../validation/time-zone.validator';
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

/** Named after the contacts' problems, in this order (as they always were). */
const AFTER_CONTACTS = ['recall', 'launch_at'];

const YIELD_EVERY = 1_000;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const notAnObject = () =>
  new InvalidCampaignRequestException([
    { field: 'body', message: BODY_RULES.messages.notObject },
  ]);

/**
 * Checks the whole `POST /campaign` body (every rule, every field) and turns
 * it into a {@link NewCampaign}: a body the module streamed in (a
 * {@link CampaignImport}, its contacts checked on arrival) or one a host's
 * parser made. Throws one 400 naming every failing field, the contacts'
 * problems for the first 100 failing contacts with the count of all
 * (`invalid_contacts`). A streamed import too large to hold in memory
 * comes out as an {@link ImportedCampaign}.
 */
@Injectable()
export class CreateCampaignPipe implements PipeTransform<
  unknown,
  Promise<NewCampaign | ImportedCampaign>
> {
  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {}

  async transform(body: unknown): Promise<NewCampaign | ImportedCampaign> {
    const read =
      body instanceof CampaignImport ? body : await this.importParsed(body);
    try {
      return this.finish(read);
    } catch (error) {
      await read.intake.spool.dispose();
      throw error;
    }
  }

  /** A body parsed by a host's parser, checked as a streamed one is. */
  private async importParsed(body: unknown): Promise<CampaignImport> {
    if (!isPlainObject(body)) throw notAnObject();
    // Hostile keys must not reach class-transformer: answer them alone.
    const hostile = scanBody(body);
    if (hostile.length) throw new InvalidCampaignRequestException(hostile);
    const read = newCampaignImport({
      maxContacts: this.options.maxContactsPerCampaign,
      defaultCountry: this.options.defaultCountry,
    });
    const { contacts } = body;
    for (const key of Object.keys(body)) {
      if (key !== 'contacts' || !Array.isArray(contacts)) {
        read.setField(key, body[key]);
      }
    }
    if (Array.isArray(contacts)) {
      read.contactsRead = true;
      for (let i = 0; i < contacts.length; i++) {
        // A 10 000-contact body takes a while: let other requests and ticks in.
        if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
        read.intake.add(contacts[i]);
      }
      await read.intake.spool.flush(true);
    }
    return read;
  }

  private finish(read: CampaignImport): NewCampaign | ImportedCampaign {
    if (read.notObject) throw notAnObject();
    const { fields, intake } = read;
    const hostile = [...scanBody(fields), ...intake.hostile];
    if (hostile.length) {
      throw new InvalidCampaignRequestException(
        hostile,
        400,
        read.intake.failed,
      );
    }
    const context: CreateCampaignContext = {
      recall: this.options.recall,
      defaultTimezone: this.options.defaultTimezone,
      now: new Date(),
    };
    const problems = [
      ...read.problems,
      ...unknownKeys(fields, CAMPAIGN_FIELDS, ''),
    ];
    const header = withCreateCampaignContext(
      plainToInstance(CreateCampaignDto, { ...fields, contacts: [] }),
      context,
    );
    const found = flattenValidationErrors(validateSync(header, VALIDATION));
    const late = (p: FieldProblem) => AFTER_CONTACTS.indexOf(p.field);
    problems.push(...found.filter((p) => late(p) < 0));
    problems.push(...contactsProblems(read));
    problems.push(
      ...found.filter((p) => late(p) >= 0).sort((a, b) => late(a) - late(b)),
    );
    const recall = parseRecall(fields.recall, context.recall);
    const launchAt = parseLaunchAt(
      fields.launch_at,
      context.defaultTimezone,
      context.now,
    );
    const callingWindow = parseCampaignCallingWindow(fields.calling_window);
    if (!callingWindow.ok) problems.push(...callingWindow.problems);
    if (problems.length || !recall.ok || !launchAt.ok || !callingWindow.ok) {
      throw new InvalidCampaignRequestException(
        uniqueProblems(problems),
        400,
        intake.tooMany ? 0 : intake.failed,
      );
    }
    const campaign = {
      playbookId: header.playbook_id.toLowerCase(),
      launchAt: launchAt.value,
      recall: recall.value,
      timezone:
        header.timezone === undefined
          ? null
          : (canonicalTimeZone(header.timezone) ?? null),
      callingWindow: callingWindow.value,
    };
    const { spool } = intake;
    const inMemory = spool.inMemory;
    if (inMemory) return { ...campaign, contacts: inMemory };
    return {
      ...campaign,
      contacts: {
        count: intake.count,
        distinct: intake.distinct,
        chunks: (size) => spool.chunks(size),
        canonical: () => spool.canonical(),
        dispose: () => spool.dispose(),
      },
    };
  }
}

/** What is wrong with `contacts` as a whole, else its items' problems. */
function contactsProblems(read: CampaignImport): FieldProblem[] {
  const { messages } = CONTACTS_RULES;
  const fail = (message: string) => [{ field: 'contacts', message }];
  if (Object.hasOwn(read.fields, 'contacts')) {
    const value = read.fields.contacts;
    return fail(
      value === undefined || value === null
        ? messages.required
        : messages.notArray,
    );
  }
  if (!read.contactsRead) return fail(messages.required);
  return read.intake.contactsProblems();
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

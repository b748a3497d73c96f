import type { CountryCode } from 'libphonenumber-js/max';
import { bodyError } from '../http/json-body.reader';
import { ContactValidator } from '../validation/contact.validator';
import { InvalidCampaignRequestException } from '../validation/field-problem';
import { CampaignImport } from './campaign-import';
import { ContactIntake } from './contact-intake';
import {
  CsvHeaderError,
  MalformedCsvError,
  readCsvContacts,
} from './csv-contacts.reader';
import {
  JsonCampaignSplitter,
  MalformedJsonError,
} from './json-campaign.splitter';
import { csvQueryFields } from './csv-query';

export interface CampaignImportLimits {
  maxContacts: number;
  defaultCountry: CountryCode | undefined;
}

export type CampaignBodyFormat = 'json' | 'csv';

/** A new import, for a body already parsed by the host or read here. */
export function newCampaignImport(
  limits: CampaignImportLimits,
): CampaignImport {
  return new CampaignImport(
    new ContactIntake(
      new ContactValidator(limits.defaultCountry),
      limits.maxContacts,
    ),
  );
}

/**
 * Reads a `POST /campaign` body as it streams in (a JSON object, or CSV rows
 * with the campaign fields in the query of `url`), checking each contact on
 * arrival. Throws the 4xx of an unreadable body; the problems of readable
 * data are left in the import for the pipe.
 */
export async function readCampaignImport(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  url: string,
  format: CampaignBodyFormat,
  limits: CampaignImportLimits,
): Promise<CampaignImport> {
  const into = newCampaignImport(limits);
  const { spool } = into.intake;
  try {
    if (format === 'csv') {
      into.problems.push(...csvQueryFields(url, into));
      await readCsvContacts(chunks, into, () => spool.flush());
    } else {
      await readJson(chunks, into);
    }
    await spool.flush(true);
    return into;
  } catch (error) {
    await spool.dispose();
    if (error instanceof MalformedJsonError) {
      throw bodyError(400, 'malformed JSON');
    }
    if (error instanceof MalformedCsvError) {
      throw bodyError(400, `malformed CSV: ${error.message}`);
    }
    if (error instanceof CsvHeaderError) {
      throw new InvalidCampaignRequestException(error.problems);
    }
    throw error;
  }
}

async function readJson(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  into: CampaignImport,
): Promise<void> {
  const { intake } = into;
  const splitter = new JsonCampaignSplitter({
    field: (key, value) => into.setField(key, value),
    contactsArray: () => {
      into.contactsRead = true;
    },
    contact: (item) => intake.add(item),
  });
  for await (const chunk of chunks) {
    splitter.write(chunk);
    await intake.spool.flush();
  }
  splitter.end();
  into.notObject = splitter.notObject;
}

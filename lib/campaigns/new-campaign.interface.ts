import type { CustomFields } from '../entities/contact.entity';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import type { ContactTextField } from '../contacts/contact-fields';

// Kept here too: the dialing loop and older imports read them from this file.
export {
  CONTACT_TEXT_FIELDS,
  type ContactTextField,
} from '../contacts/contact-fields';

/** A validated contact: E.164 phone and only the fields the client gave. */
export interface NewContact {
  phone: string;
  fields: Partial<Record<ContactTextField, string>>;
  customFields?: CustomFields;
}

/** A spooled contact and whether it is its phone's first occurrence in the request. */
export interface SpooledContact {
  contact: NewContact;
  first: boolean;
}

/**
 * Validated contacts of a streamed import, too many to hold as an array:
 * kept in request order (duplicates included) outside the heap, read back
 * in chunks.
 */
export interface SpooledContacts {
  /** Items as sent, duplicates included. */
  readonly count: number;
  /** Distinct phones. */
  readonly distinct: number;
  chunks(size: number): AsyncIterable<SpooledContact[]>;
  /** Each item as canonical JSON, in order (for the request hash). */
  canonical(): AsyncIterable<string>;
  dispose(): Promise<void>;
}

/** A validated request whose contacts are spooled ({@link SpooledContacts}). */
export interface ImportedCampaign extends Omit<NewCampaign, 'contacts'> {
  contacts: SpooledContacts;
}

/** A validated `POST /campaign` request, ready to be written. */
export interface NewCampaign {
  playbookId: string;
  contacts: NewContact[];
  /** Null: launch now. */
  launchAt: Date | null;
  recall: number[];
  /**
   * IANA zone for the contacts whose own `timezone` is absent and whose
   * number gives none (stored as its canonical name). Null or absent: the
   * module `defaultTimezone`.
   */
  timezone?: string | null;
  /**
   * Narrows the module's calling window for this campaign (the window used
   * is the intersection); it never widens it. Null or absent: the module's.
   */
  callingWindow?: CallingWindow | null;
}

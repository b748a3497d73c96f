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

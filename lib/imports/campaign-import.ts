import type { FieldProblem } from '../validation/field-problem';
import type { ContactIntake } from './contact-intake';

/**
 * A `POST /campaign` body as the module read it from the stream: the
 * campaign's own fields (from a JSON body, or the query of a CSV upload) and
 * its contacts already checked one by one into {@link ContactIntake}. The
 * pipe finishes the checks and makes the request.
 */
export class CampaignImport {
  /** The campaign fields besides an array `contacts` (`contacts` itself when it is no array). */
  readonly fields: Record<string, unknown> = {};
  /** Problems found while reading (CSV header, repeated query parameters). */
  readonly problems: FieldProblem[] = [];
  /** True once a `contacts` array (or CSV rows) has been read. */
  contactsRead = false;
  /** True for a JSON body that is valid JSON but no object. */
  notObject = false;

  constructor(readonly intake: ContactIntake) {}

  /** Sets a field as an own property, even one named `__proto__` (for the 400 that names it). */
  setField(key: string, value: unknown): void {
    Object.defineProperty(this.fields, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

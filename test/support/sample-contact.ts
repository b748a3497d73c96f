import { CONTACT_TEXT_FIELDS } from '../../lib/contacts/contact-fields';
import type { DialRequest } from '../../lib';

/** A dial request's contact: every field null but those given. */
export function sampleContact(
  fields: Partial<DialRequest['contact']> = {},
): DialRequest['contact'] {
  return {
    ...(Object.fromEntries(
      CONTACT_TEXT_FIELDS.map((field) => [field, null]),
    ) as Omit<DialRequest['contact'], 'custom_fields'>),
    custom_fields: null,
    ...fields,
  };
}

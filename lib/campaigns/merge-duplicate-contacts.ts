import type { NewContact } from './new-campaign.interface';

/**
 * One contact per phone. A later item's fields win; fields it lacks keep the
 * earlier item's values, as the database upsert does. Sorted by phone so that
 * concurrent upserts lock rows in one order.
 */
export function mergeDuplicateContacts(contacts: NewContact[]): NewContact[] {
  const byPhone = new Map<string, NewContact>();
  for (const contact of contacts) {
    const earlier = byPhone.get(contact.phone);
    if (!earlier) {
      byPhone.set(contact.phone, contact);
      continue;
    }
    byPhone.set(contact.phone, {
      phone: contact.phone,
      fields: { ...earlier.fields, ...contact.fields },
      customFields:
        earlier.customFields || contact.customFields
          ? { ...earlier.customFields, ...contact.customFields }
          : undefined,
    });
  }
  return [...byPhone.values()].sort((a, b) =>
    a.phone < b.phone ? -1 : a.phone > b.phone ? 1 : 0,
  );
}

import { createHash } from 'node:crypto';
import type {
  NewCampaign,
  NewContact,
} from '../campaigns/new-campaign.interface';

/** JSON with object keys sorted at every level (dates as ISO instants). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

/**
 * {@link canonicalJson} of one contact, written out directly: a streamed
 * import makes one per contact.
 */
export function canonicalContactJson(contact: NewContact): string {
  let json = '{';
  if (contact.customFields !== undefined) {
    json += `"customFields":${canonicalJson(contact.customFields)},`;
  }
  json += '"fields":{';
  const fields = contact.fields as Record<string, string | undefined>;
  const keys = Object.keys(fields).sort();
  let first = true;
  for (const key of keys) {
    const value = fields[key];
    if (value === undefined) continue;
    json += `${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(value)}`;
    first = false;
  }
  return `${json}},"phone":${JSON.stringify(contact.phone)}}`;
}

/**
 * SHA-256 (hex) of the validated request. The normalized request rather than
 * the raw body: two bodies that would write the same campaign (key order,
 * `"612345678"` + `country: "ES"` vs `"+34612345678"`, an offset vs `Z` for
 * the same `launch_at` instant, `"[30]"` vs `[30]`, `calling_window` days in
 * another order, a zone's alias) are one request, and what is compared is
 * exactly what would be written: the same key with another `timezone` or
 * `calling_window` is a 409.
 */
export function hashCampaignRequest(request: NewCampaign): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalRequest(request)))
    .digest('hex');
}

// Control characters never pass validation: this string is no real value.
const CONTACTS_PLACEHOLDER = '\u0000contacts\u0000';

/**
 * {@link hashCampaignRequest} of a request whose contacts are read from a
 * stream (`contacts`: each contact's canonical JSON, in request order): the
 * same digest as for the same contacts given as an array.
 */
export async function hashStreamedCampaignRequest(
  request: Omit<NewCampaign, 'contacts'>,
  contacts: AsyncIterable<string>,
): Promise<string> {
  const text = canonicalJson(
    canonicalRequest({ ...request, contacts: [] }, CONTACTS_PLACEHOLDER),
  );
  const marker = JSON.stringify(CONTACTS_PLACEHOLDER);
  const at = text.indexOf(marker);
  const hash = createHash('sha256').update(text.slice(0, at)).update('[');
  let first = true;
  for await (const contact of contacts) {
    hash.update(first ? contact : `,${contact}`);
    first = false;
  }
  return hash
    .update(']')
    .update(text.slice(at + marker.length))
    .digest('hex');
}

function canonicalRequest(
  request: NewCampaign,
  contacts?: string,
): Record<string, unknown> {
  // The extensions to the seed count only when given: a request without
  // them hashes as before they existed, so a key stored by an earlier
  // version still replays.
  const { timezone, callingWindow, ...seed } = request;
  const canonical: Record<string, unknown> = { ...seed };
  if (contacts !== undefined) canonical.contacts = contacts;
  if (timezone !== undefined && timezone !== null) {
    canonical.timezone = timezone;
  }
  if (callingWindow !== undefined && callingWindow !== null) {
    canonical.callingWindow = callingWindow;
  }
  return canonical;
}

import { createHash } from 'node:crypto';
import type { NewCampaign } from '../campaigns/new-campaign.interface';

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
 * SHA-256 (hex) of the validated request. The normalized request rather than
 * the raw body: two bodies that would write the same campaign (key order,
 * `"612345678"` + `country: "ES"` vs `"+34612345678"`, an offset vs `Z` for
 * the same `launch_at` instant, `"[30]"` vs `[30]`, `calling_window` days in
 * another order, a zone's alias) are one request, and what is compared is
 * exactly what would be written: the same key with another `timezone` or
 * `calling_window` is a 409.
 */
export function hashCampaignRequest(request: NewCampaign): string {
  // The extensions to the seed count only when given: a request without
  // them hashes as before they existed, so a key stored by an earlier
  // version still replays.
  const { timezone, callingWindow, ...seed } = request;
  const canonical: Record<string, unknown> = { ...seed };
  if (timezone !== undefined && timezone !== null) {
    canonical.timezone = timezone;
  }
  if (callingWindow !== undefined && callingWindow !== null) {
    canonical.callingWindow = callingWindow;
  }
  return createHash('sha256').update(canonicalJson(canonical)).digest('hex');
}

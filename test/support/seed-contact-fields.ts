/**
 * The optional contact fields of seed 3.3 (everything but `phone`), written
 * from the seed: what the library's `CONTACT_FIELDS` is checked against.
 */
export const SEED_CONTACT_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'company',
  'job_title',
  'address',
  'city',
  'state',
  'country',
  'postal_code',
  'timezone',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'custom_fields',
] as const;

/** The columns of `campaign_contacts`: phone, the fields and the bookkeeping. */
export const CONTACT_TABLE_COLUMNS = [
  'id',
  'account_id',
  'phone',
  ...SEED_CONTACT_FIELDS,
  'created_at',
  'updated_at',
] as const;

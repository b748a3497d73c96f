import type { UpsertStatement } from '../database/sql-dialect';
import { CONTACT_TEXT_FIELDS } from '../contacts/contact-fields';

export const CONTACT_INSERT_COLUMNS = [
  'id',
  'account_id',
  'phone',
  ...CONTACT_TEXT_FIELDS,
  'custom_fields',
] as const;

export const CALL_INSERT_COLUMNS = [
  'id',
  'campaign_id',
  'account_id',
  'contact_id',
  'status',
  'due_at',
  'recall',
] as const;

export const CAMPAIGN_INSERT_COLUMNS = [
  'id',
  'account_id',
  'playbook_id',
  'status',
  'launch_at',
  'recall',
  'contacts_count',
  'calls_count',
  'duplicates_count',
  'created_at',
  'started_at',
  'timezone',
  'calling_window',
  'provider_config',
] as const;

/**
 * Upsert by (account, phone): given fields overwrite, absent (NULL) fields keep
 * the stored value, custom_fields merge key by key.
 */
export const CONTACT_UPSERT = {
  table: 'campaign_contacts',
  key: ['account_id', 'phone'],
  onConflict: {
    ...Object.fromEntries(
      CONTACT_TEXT_FIELDS.map((f) => [f, 'keep-when-null' as const]),
    ),
    custom_fields: 'merge-json',
  },
  touch: 'updated_at',
  returning: ['id', 'phone'],
} satisfies Omit<UpsertStatement, 'columns' | 'rows' | 'chunkSize'>;

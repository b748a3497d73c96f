import type { SqlDialect } from '../database/sql-dialect';
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
export function contactUpsertSuffix(dialect: SqlDialect): string {
  const table = 'campaign_contacts';
  const keep = CONTACT_TEXT_FIELDS.map(
    (f) => `${f} = COALESCE(excluded.${f}, ${table}.${f})`,
  );
  return [
    `ON CONFLICT (account_id, phone) DO UPDATE SET`,
    [
      ...keep,
      `custom_fields = ${dialect.mergeJsonObjects(`${table}.custom_fields`, 'excluded.custom_fields')}`,
      `updated_at = ${dialect.now}`,
    ].join(', '),
    'RETURNING id, phone',
  ].join(' ');
}

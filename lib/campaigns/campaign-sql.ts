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
      `custom_fields = ${mergeCustomFields(dialect, `${table}.custom_fields`, 'excluded.custom_fields')}`,
      `updated_at = ${dialect.now}`,
    ].join(', '),
    'RETURNING id, phone',
  ].join(' ');
}

function mergeCustomFields(
  dialect: SqlDialect,
  stored: string,
  given: string,
): string {
  if (dialect.type === 'postgres') {
    return `CASE WHEN ${given} IS NULL THEN ${stored} ELSE COALESCE(${stored}, '{}'::jsonb) || ${given} END`;
  }
  // SQLite has no shallow merge that keeps null values (json_patch drops them):
  // rebuild the object from the stored keys the request does not give, plus the given ones.
  const value = `CASE type WHEN 'text' THEN json_quote(value) WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') WHEN 'object' THEN json(value) WHEN 'array' THEN json(value) ELSE value END`;
  return `CASE WHEN ${given} IS NULL THEN ${stored} WHEN ${stored} IS NULL THEN ${given} ELSE (
    SELECT json_group_object(key, ${value}) FROM (
      SELECT key, value, type FROM json_each(${stored})
        WHERE key NOT IN (SELECT key FROM json_each(${given}))
      UNION ALL SELECT key, value, type FROM json_each(${given}))) END`;
}

/**
 * SQLite has no shallow merge that keeps null values (json_patch drops
 * them): the object is rebuilt from the stored keys the given object does
 * not have, plus the given ones.
 */
export function sqliteMergeJsonObjects(stored: string, given: string): string {
  const value = `CASE type WHEN 'text' THEN json_quote(value) WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') WHEN 'object' THEN json(value) WHEN 'array' THEN json(value) ELSE value END`;
  return `CASE WHEN ${given} IS NULL THEN ${stored} WHEN ${stored} IS NULL THEN ${given} ELSE (
    SELECT json_group_object(key, ${value}) FROM (
      SELECT key, value, type FROM json_each(${stored})
        WHERE key NOT IN (SELECT key FROM json_each(${given}))
      UNION ALL SELECT key, value, type FROM json_each(${given}))) END`;
}

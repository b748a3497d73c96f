import { registerDecorator, type ValidationOptions } from 'class-validator';
import { CUSTOM_FIELDS_RULES } from './create-campaign.rules';

export const CUSTOM_FIELDS_LIMITS = {
  maxKeys: CUSTOM_FIELDS_RULES.maxKeys,
  maxKeyLength: CUSTOM_FIELDS_RULES.maxKeyLength,
  maxStringLength: CUSTOM_FIELDS_RULES.maxStringLength,
  maxJsonBytes: CUSTOM_FIELDS_RULES.maxJsonBytes,
} as const;

/** Keys that could reach an object's prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(
  CUSTOM_FIELDS_RULES.forbiddenKeys,
);

const { messages } = CUSTOM_FIELDS_RULES;

/** Why a `custom_fields` value is not acceptable, or null when it is. */
export function customFieldsProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return messages.shape;
  }
  const keys = Object.keys(value);
  if (keys.length > CUSTOM_FIELDS_LIMITS.maxKeys) {
    return messages.tooManyKeys(CUSTOM_FIELDS_LIMITS.maxKeys);
  }
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key)) return messages.forbiddenKey(key);
    if (key.trim() === '' || key.length > CUSTOM_FIELDS_LIMITS.maxKeyLength) {
      return messages.keyLength(CUSTOM_FIELDS_LIMITS.maxKeyLength);
    }
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'string') {
      if (item.length > CUSTOM_FIELDS_LIMITS.maxStringLength) {
        return messages.stringTooLong(
          key,
          CUSTOM_FIELDS_LIMITS.maxStringLength,
        );
      }
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return messages.notFinite(key);
    } else if (item !== null && typeof item !== 'boolean') {
      return messages.badValue(key);
    }
  }
  if (
    Buffer.byteLength(JSON.stringify(value)) > CUSTOM_FIELDS_LIMITS.maxJsonBytes
  ) {
    return messages.tooBig(CUSTOM_FIELDS_LIMITS.maxJsonBytes);
  }
  return null;
}

/** A flat object of string/number/boolean/null values within the limits. */
export function IsCustomFields(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCustomFields',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => customFieldsProblem(value) === null,
        defaultMessage: (args) => customFieldsProblem(args?.value) ?? '',
      },
    });
}

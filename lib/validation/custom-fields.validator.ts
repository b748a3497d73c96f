import { registerDecorator, type ValidationOptions } from 'class-validator';

export const CUSTOM_FIELDS_LIMITS = {
  maxKeys: 50,
  maxKeyLength: 64,
  maxStringLength: 1_000,
  maxJsonBytes: 10_000,
} as const;

/** Keys that could reach an object's prototype. */
export const FORBIDDEN_KEYS = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/** Why a `custom_fields` value is not acceptable, or null when it is. */
export function customFieldsProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of string, number, boolean or null values';
  }
  const keys = Object.keys(value);
  if (keys.length > CUSTOM_FIELDS_LIMITS.maxKeys) {
    return `must have at most ${CUSTOM_FIELDS_LIMITS.maxKeys} keys`;
  }
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key)) return `key "${key}" is not allowed`;
    if (key.trim() === '' || key.length > CUSTOM_FIELDS_LIMITS.maxKeyLength) {
      return `keys must be 1 to ${CUSTOM_FIELDS_LIMITS.maxKeyLength} characters`;
    }
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'string') {
      if (item.length > CUSTOM_FIELDS_LIMITS.maxStringLength) {
        return `"${key}" must be at most ${CUSTOM_FIELDS_LIMITS.maxStringLength} characters`;
      }
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return `"${key}" must be a finite number`;
    } else if (item !== null && typeof item !== 'boolean') {
      return `"${key}" must be a string, number, boolean or null`;
    }
  }
  if (
    Buffer.byteLength(JSON.stringify(value)) > CUSTOM_FIELDS_LIMITS.maxJsonBytes
  ) {
    return `must be at most ${CUSTOM_FIELDS_LIMITS.maxJsonBytes} bytes as JSON`;
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

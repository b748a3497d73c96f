import { TransformationType, type TransformMetadata } from 'class-transformer';
import {
  getMetadataStorage,
  ValidationTypes,
  type ValidationArguments,
  type ValidationError,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import type { ConstraintMetadata } from 'class-validator/types/metadata/ConstraintMetadata';
import { flattenValidationErrors, type FieldProblem } from './field-problem';

/*
 * class-transformer keeps its `@Transform` metadata in an internal storage
 * with no public accessor; its path is stable across the 0.5 line.
 */
type DtoClass = abstract new (...args: never[]) => object;

interface TransformerStorage {
  findTransformMetadatas(
    target: DtoClass,
    propertyName: string,
    transformationType: TransformationType,
  ): TransformMetadata[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformerModule = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: TransformerStorage;
};
const transformerStorage = transformerModule.defaultMetadataStorage;
const PLAIN_TO_CLASS = TransformationType.PLAIN_TO_CLASS;

interface CompiledCheck {
  metadata: ValidationMetadata;
  constraint: ConstraintMetadata;
  /** The key of its message in class-validator's `constraints`. */
  type: string;
}

interface CompiledProperty {
  name: string;
  transforms: TransformMetadata[];
  conditions: ((object: object, value: unknown) => boolean)[];
  checks: CompiledCheck[];
}

/**
 * A DTO's class-transformer and class-validator decorators read once and run
 * without `plainToInstance`/`validateSync` (several times faster for a
 * contact): the same transforms, the same constraints in the same order, the
 * same messages. The DTO stays the one place the rules are declared. Only
 * the decorator kinds a flat DTO uses are supported; any other fails at
 * construction, never silently.
 */
export class CompiledDtoValidator<T extends object> {
  private readonly properties: CompiledProperty[];

  constructor(private readonly dto: new () => T) {
    const storage = getMetadataStorage();
    const grouped = storage.groupByPropertyName(
      storage.getTargetValidationMetadatas(dto, '', false, false),
    );
    this.properties = Object.entries(grouped).map(([name, metadatas]) =>
      compileProperty(dto, name, metadatas),
    );
  }

  /**
   * `plain` as `plainToInstance(dto, plain)` then `validateSync` would leave
   * it: the transformed values and the failing fields under `path`. Unknown
   * keys are the caller's to report (the whitelist is not run here).
   */
  check(
    plain: Record<string, unknown>,
    path: string,
  ): { value: Partial<T>; problems: FieldProblem[] } {
    const value: Record<string, unknown> = {};
    for (const { name, transforms } of this.properties) {
      if (!Object.hasOwn(plain, name)) continue;
      let v = plain[name];
      for (const t of transforms) {
        v = t.transformFn({
          value: v,
          key: name,
          obj: plain,
          type: PLAIN_TO_CLASS,
          options: {},
        });
      }
      value[name] = v;
    }
    const object = Object.setPrototypeOf(
      value,
      this.dto.prototype as object,
    ) as T;
    let errors: ValidationError[] | undefined;
    for (const property of this.properties) {
      const constraints = this.validate(object, property);
      if (constraints) {
        (errors ??= []).push({ property: property.name, constraints });
      }
    }
    return {
      value: value as Partial<T>,
      problems: errors ? flattenValidationErrors(errors, path) : [],
    };
  }

  private validate(
    object: T,
    property: CompiledProperty,
  ): Record<string, string> | undefined {
    const value: unknown = (object as Record<string, unknown>)[property.name];
    for (const condition of property.conditions) {
      if (!condition(object, value)) return undefined;
    }
    let failed: Record<string, string> | undefined;
    // One arguments object for the property's checks (class-validator makes
    // one a check; none keeps it).
    const args: ValidationArguments = {
      targetName: this.dto.name,
      property: property.name,
      object,
      value,
      constraints: [],
    };
    for (const { metadata, constraint, type } of property.checks) {
      args.constraints = metadata.constraints;
      if (constraint.instance.validate(value, args)) continue;
      (failed ??= {})[type] = messageOf(metadata, constraint, args);
    }
    return failed;
  }
}

function compileProperty(
  dto: DtoClass,
  name: string,
  metadatas: ValidationMetadata[],
): CompiledProperty {
  const storage = getMetadataStorage();
  const property: CompiledProperty = {
    name,
    transforms: transformerStorage.findTransformMetadatas(
      dto,
      name,
      PLAIN_TO_CLASS,
    ),
    conditions: [],
    checks: [],
  };
  for (const metadata of metadatas) {
    if (metadata.type === ValidationTypes.WHITELIST) continue;
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      property.conditions.push(
        metadata.constraints[0] as (object: object, value: unknown) => boolean,
      );
      continue;
    }
    if (
      metadata.type !== ValidationTypes.CUSTOM_VALIDATION ||
      metadata.each ||
      metadata.validateIf ||
      metadata.groups?.length
    ) {
      throw new Error(
        `${dto.name}.${name}: ${metadata.name ?? metadata.type} is not supported by CompiledDtoValidator`,
      );
    }
    for (const constraint of storage.getTargetValidatorConstraints(
      metadata.constraintCls,
    )) {
      if (constraint.async) {
        throw new Error(
          `${dto.name}.${name}: async constraints are not supported`,
        );
      }
      property.checks.push({
        metadata,
        constraint,
        type: constraint.name || metadata.type,
      });
    }
  }
  return property;
}

/** class-validator's message for a failed constraint, tokens replaced. */
function messageOf(
  metadata: ValidationMetadata,
  constraint: ConstraintMetadata,
  args: ValidationArguments,
): string {
  const given = metadata.message as
    string | ((args: ValidationArguments) => string) | undefined;
  const raw =
    given ||
    (typeof constraint.instance.defaultMessage === 'function'
      ? constraint.instance.defaultMessage(args)
      : '');
  let message = typeof raw === 'function' ? raw(args) : raw;
  if (!message) return message;
  if (Array.isArray(args.constraints)) {
    args.constraints.forEach((c: unknown, i) => {
      message = message.replace(
        new RegExp(`\\$constraint${i + 1}`, 'g'),
        Array.isArray(c)
          ? c.join(', ')
          : typeof c === 'symbol'
            ? String(c.description)
            : String(c),
      );
    });
  }
  const value: unknown = args.value;
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    message = message.replace(/\$value/g, String(value));
  }
  return message
    .replace(/\$property/g, args.property)
    .replace(/\$target/g, args.targetName);
}

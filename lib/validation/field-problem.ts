import { BadRequestException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** One failing field, by its path in the body (`contacts.3.phone`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** 400 whose body names every failing field. */
export class InvalidCampaignRequestException extends BadRequestException {
  constructor(problems: FieldProblem[]) {
    super({
      statusCode: 400,
      error: 'Bad Request',
      message: problems.map((p) => `${p.field}: ${p.message}`),
      errors: problems,
    });
  }
}

/** Flattens class-validator's tree into field paths with readable messages. */
export function flattenValidationErrors(
  errors: ValidationError[],
  parent = '',
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(
      error.constraints ?? {},
    )) {
      problems.push({ field, message: readable(constraint, message, error) });
    }
    if (error.children?.length) {
      problems.push(...flattenValidationErrors(error.children, field));
    }
  }
  return problems;
}

function readable(
  constraint: string,
  message: string,
  error: ValidationError,
): string {
  if (constraint === 'whitelistValidation') return 'is not a known field';
  const prefix = `${error.property} `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

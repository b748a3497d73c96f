import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { ValidationError } from 'class-validator';

/** One failing field, by its path in the body (`contacts.3.phone`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A 4xx (400 unless said) whose body names every failing field. With
 * `invalidContacts` (how many contacts failed, when more may have than are
 * named), the body says it as `invalid_contacts`.
 */
export class InvalidCampaignRequestException extends HttpException {
  constructor(problems: FieldProblem[], status = 400, invalidContacts = 0) {
    super(
      {
        statusCode: status,
        error: STATUS_CODES[status],
        message: problems.map((p) => `${p.field}: ${p.message}`),
        errors: problems,
        ...(invalidContacts > 0 && { invalid_contacts: invalidContacts }),
      },
      status,
    );
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

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import {
  CONTACT_FIELDS,
  isContactTextField,
} from '../../contacts/contact-fields';
import {
  EMAIL_RULES,
  TIME_ZONE_RULES,
} from '../../validation/create-campaign.rules';
import { IsIanaTimeZone } from '../../validation/time-zone.validator';
import { TrimToUndefined } from '../../validation/trim-string.transform';

/**
 * An optional contact field, as `CONTACT_FIELDS` has it for the property's
 * name: trimmed (blank is absent), a string within its length, of its kind,
 * and documented.
 */
export function ContactField(): PropertyDecorator {
  return (target, property) => {
    const name = String(property);
    if (!isContactTextField(name)) {
      throw new Error(`${name} is not in CONTACT_FIELDS`);
    }
    const rule = CONTACT_FIELDS[name];
    // In the order of the stacked decorators of earlier releases: the
    // messages keep their order.
    const checks =
      rule.kind === 'text'
        ? [IsString(), MaxLength(rule.maxLength)]
        : [kindCheck(rule.kind), MaxLength(rule.maxLength), IsString()];
    const decorators = [
      ApiPropertyOptional({
        type: String,
        ...(rule.kind === 'email' && { format: 'email' }),
        maxLength: rule.maxLength,
        description: `${rule.description}. Trimmed; blank counts as absent.`,
        example: rule.example,
      }),
      TrimToUndefined(),
      IsOptional(),
      ...checks,
    ];
    for (const decorate of decorators) decorate(target, property);
  };
}

function kindCheck(kind: 'email' | 'timezone'): PropertyDecorator {
  return kind === 'email'
    ? IsEmail({}, { message: EMAIL_RULES.message })
    : IsIanaTimeZone({ message: TIME_ZONE_RULES.message });
}

import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import type { CustomFields } from '../../entities/contact.entity';
import { IsCustomFields } from '../../validation/custom-fields.validator';
import { IsIanaTimeZone } from '../../validation/time-zone.validator';
import { TrimToUndefined } from '../../validation/trim-string.transform';

function OptionalText(
  maxLength: number,
  description: string,
  example?: string,
): PropertyDecorator {
  const decorators = [
    ApiPropertyOptional({
      type: String,
      maxLength,
      description: `${description}. Trimmed; blank counts as absent.`,
      example,
    }),
    TrimToUndefined(),
    IsOptional(),
    IsString(),
    MaxLength(maxLength),
  ];
  return (target, key) => decorators.forEach((d) => d(target, key));
}

/** One contact of a campaign request (seed 3.3). */
@ApiSchema({
  description:
    'A contact to call: `phone` and, for call personalization or the CRM, any of the optional fields. Given fields overwrite the stored contact, absent ones keep their value. Unknown fields are a 400.',
})
export class CampaignContactDto {
  @ApiProperty({
    type: String,
    description:
      'Phone number to call: E.164 (`+34612345678`), or national with the contact `country` (ISO 3166 alpha-2) or the module `defaultCountry`. Must be a valid number; stored as E.164.',
    example: '+34612345678',
    maxLength: 32,
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim() : value,
  )
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  phone!: string;

  @OptionalText(100, 'First name', 'Ana')
  first_name?: string;

  @OptionalText(100, 'Last name', 'García')
  last_name?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'email',
    maxLength: 254,
    description: 'Email address. Trimmed; blank counts as absent.',
    example: 'ana@example.com',
  })
  @TrimToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be a valid email address' })
  email?: string;

  @OptionalText(200, 'Company', 'Acme')
  company?: string;

  @OptionalText(200, 'Job title', 'CTO')
  job_title?: string;

  @OptionalText(500, 'Address', 'Calle Mayor 1')
  address?: string;

  @OptionalText(100, 'City', 'Madrid')
  city?: string;

  @OptionalText(100, 'State / province', 'Madrid')
  state?: string;

  @OptionalText(
    100,
    'Country; an ISO 3166 alpha-2 code (`ES`) also sets the region of a national `phone`',
    'ES',
  )
  country?: string;

  @OptionalText(20, 'Postal code', '28013')
  postal_code?: string;

  @ApiPropertyOptional({
    type: String,
    maxLength: 64,
    description:
      'Time zone of the contact, a valid IANA zone (`Europe/Madrid`): calls are placed inside the calling window in this zone. Trimmed; blank counts as absent.',
    example: 'Europe/Madrid',
  })
  @TrimToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsIanaTimeZone({ message: 'must be a valid IANA time zone' })
  timezone?: string;

  @OptionalText(255, 'UTM source', 'crm')
  utm_source?: string;

  @OptionalText(255, 'UTM medium', 'email')
  utm_medium?: string;

  @OptionalText(255, 'UTM campaign', 'spring')
  utm_campaign?: string;

  @OptionalText(255, 'UTM term', 'voice')
  utm_term?: string;

  @OptionalText(255, 'UTM content', 'v1')
  utm_content?: string;

  @ApiPropertyOptional({
    type: 'object',
    description:
      'Custom key-value fields: a flat object of string, number, boolean or null values; at most 50 keys of 1 to 64 characters, strings of at most 1 000 characters, 10 000 bytes as JSON; `__proto__`, `constructor` and `prototype` are rejected. Merged key by key into the stored contact.',
    maxProperties: 50,
    additionalProperties: {
      oneOf: [
        { type: 'string', maxLength: 1_000 },
        { type: 'number' },
        { type: 'boolean' },
      ],
      nullable: true,
    },
    example: { plan: 'pro', seats: 12 },
  })
  // Keep the raw object: class-transformer would copy it key by key.
  @Transform(({ obj }: { obj: Record<string, unknown> }) => obj.custom_fields)
  @IsOptional()
  @IsCustomFields()
  custom_fields?: CustomFields;
}

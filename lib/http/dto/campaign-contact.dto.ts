import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ContactTextField } from '../../contacts/contact-fields';
import type { CustomFields } from '../../entities/contact.entity';
import {
  CUSTOM_FIELDS_RULES,
  PHONE_RULES,
  spaced,
} from '../../validation/create-campaign.rules';
import { IsCustomFields } from '../../validation/custom-fields.validator';
import { ContactField } from './contact-field.decorator';

/** One contact of a campaign request (seed 3.3). */
@ApiSchema({
  description:
    'A contact to call: `phone` and, for call personalization or the CRM, any of the optional fields. Given fields overwrite the stored contact, absent ones keep their value. Unknown fields are a 400.',
})
export class CampaignContactDto implements Partial<
  Record<ContactTextField, string>
> {
  @ApiProperty({
    type: String,
    description:
      'Phone number to call: E.164 (`+34612345678`), or national with the contact `country` (ISO 3166 alpha-2) or the module `defaultCountry`. Must be a valid number; stored as E.164.',
    example: '+34612345678',
    maxLength: PHONE_RULES.maxLength,
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim() : value,
  )
  @IsString()
  @IsNotEmpty()
  @MaxLength(PHONE_RULES.maxLength)
  phone!: string;

  @ContactField() first_name?: string;
  @ContactField() last_name?: string;
  @ContactField() email?: string;
  @ContactField() company?: string;
  @ContactField() job_title?: string;
  @ContactField() address?: string;
  @ContactField() city?: string;
  @ContactField() state?: string;
  @ContactField() country?: string;
  @ContactField() postal_code?: string;
  @ContactField() timezone?: string;
  @ContactField() utm_source?: string;
  @ContactField() utm_medium?: string;
  @ContactField() utm_campaign?: string;
  @ContactField() utm_term?: string;
  @ContactField() utm_content?: string;

  @ApiPropertyOptional({
    type: 'object',
    description: `Custom key-value fields: a flat object of string, number, boolean or null values; at most ${CUSTOM_FIELDS_RULES.maxKeys} keys of 1 to ${CUSTOM_FIELDS_RULES.maxKeyLength} characters, strings of at most ${spaced(CUSTOM_FIELDS_RULES.maxStringLength)} characters, ${spaced(CUSTOM_FIELDS_RULES.maxJsonBytes)} bytes as JSON; ${CUSTOM_FIELDS_RULES.forbiddenKeys
      .map((k) => `\`${k}\``)
      .join(', ')
      .replace(
        /, ([^,]*)$/,
        ' and $1',
      )} are rejected. Merged key by key into the stored contact.`,
    maxProperties: CUSTOM_FIELDS_RULES.maxKeys,
    additionalProperties: {
      oneOf: [
        { type: 'string', maxLength: CUSTOM_FIELDS_RULES.maxStringLength },
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

type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Compile-time check: the DTO declares exactly the fields of CONTACT_FIELDS.
const declaresContactFields: Exactly<
  Exclude<keyof CampaignContactDto, 'phone' | 'custom_fields'>,
  ContactTextField
> = true;
void declaresContactFields;

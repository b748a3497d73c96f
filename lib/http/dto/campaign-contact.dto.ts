import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsTimeZone,
  MaxLength,
} from 'class-validator';
import type { CustomFields } from '../../entities/contact.entity';
import { IsCustomFields } from '../../validation/custom-fields.validator';
import { TrimToUndefined } from '../../validation/trim-string.transform';

function OptionalText(maxLength: number, example?: string): PropertyDecorator {
  const decorators = [
    ApiPropertyOptional({ type: String, maxLength, example }),
    TrimToUndefined(),
    IsOptional(),
    IsString(),
    MaxLength(maxLength),
  ];
  return (target, key) => decorators.forEach((d) => d(target, key));
}

/** One contact of a campaign request (seed 3.3). */
export class CampaignContactDto {
  @ApiProperty({
    description:
      'Phone number; E.164 (+34612345678), or national with `country` or the module defaultCountry.',
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

  @OptionalText(100, 'Ana')
  first_name?: string;

  @OptionalText(100, 'García')
  last_name?: string;

  @ApiPropertyOptional({ example: 'ana@example.com', maxLength: 254 })
  @TrimToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be a valid email address' })
  email?: string;

  @OptionalText(200, 'Acme')
  company?: string;

  @OptionalText(200, 'CTO')
  job_title?: string;

  @OptionalText(500)
  address?: string;

  @OptionalText(100, 'Madrid')
  city?: string;

  @OptionalText(100)
  state?: string;

  @OptionalText(100, 'ES')
  country?: string;

  @OptionalText(20)
  postal_code?: string;

  @ApiPropertyOptional({ example: 'Europe/Madrid', maxLength: 64 })
  @TrimToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsTimeZone({ message: 'must be a valid IANA time zone' })
  timezone?: string;

  @OptionalText(255)
  utm_source?: string;

  @OptionalText(255)
  utm_medium?: string;

  @OptionalText(255)
  utm_campaign?: string;

  @OptionalText(255)
  utm_term?: string;

  @OptionalText(255)
  utm_content?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
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

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsArray, IsUUID, ValidateNested } from 'class-validator';
import { CampaignContactDto } from './campaign-contact.dto';

/** Body of `POST /campaign` (seed section 3). */
export class CreateCampaignDto {
  @ApiProperty({
    description:
      'UUID of the playbook (assistant); must belong to your account.',
    format: 'uuid',
  })
  @IsUUID('all', { message: 'must be a UUID' })
  playbook_id!: string;

  @ApiProperty({
    type: [CampaignContactDto],
    minItems: 1,
    description: 'Contacts to call; each needs at least `phone`.',
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CampaignContactDto)
  contacts!: CampaignContactDto[];

  @ApiPropertyOptional({
    description:
      'ISO 8601 date-time. With an offset or Z, that instant; without, read in the module defaultTimezone. Absent: launch now.',
    example: '2025-03-01T10:00:00',
  })
  @Allow()
  launch_at?: unknown;

  @ApiPropertyOptional({
    description:
      'Retry delays in minutes from the first attempt: an array or that array as a JSON string.',
    oneOf: [
      { type: 'array', items: { type: 'integer' }, example: [30, 120] },
      { type: 'string', example: '[30,120]' },
    ],
  })
  @Allow()
  recall?: unknown;
}

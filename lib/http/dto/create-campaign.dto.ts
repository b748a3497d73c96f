import {
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  type ExamplesObject,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsLaunchAt, IsRecall } from '../../validation/create-campaign.context';
import {
  CONTACTS_RULES,
  LAUNCH_AT_RULES,
  PLAYBOOK_ID_RULES,
  RECALL_RULES,
  spaced,
  TIME_ZONE_RULES,
  type CampaignBodyField,
} from '../../validation/create-campaign.rules';
import { IsIanaTimeZone } from '../../validation/time-zone.validator';
import { TrimToUndefined } from '../../validation/trim-string.transform';
import { CallingWindowDto } from './calling-window.dto';
import { CampaignContactDto } from './campaign-contact.dto';

const EXAMPLE_PLAYBOOK_ID = '9f6c1d2e-4b7a-4c21-9e0f-3a5b8c7d6e1f';

/**
 * A `launch_at` for the examples that the endpoint accepts whenever the
 * document is built: 10:00 (no offset) on the first day of next month.
 */
export function exampleLaunchAt(now = new Date()): string {
  const next = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 10),
  );
  return next.toISOString().slice(0, 19);
}
const EXAMPLE_LAUNCH_AT = exampleLaunchAt();

/**
 * Request examples of the seed (5.1 to 5.4), for the OpenAPI document; use
 * the id of one of your playbooks.
 */
export const CREATE_CAMPAIGN_EXAMPLES: ExamplesObject = {
  immediate_minimal: {
    summary: '5.1 Immediate campaign (minimal)',
    description: 'Only the playbook and a list of phones.',
    value: {
      playbook_id: EXAMPLE_PLAYBOOK_ID,
      contacts: [{ phone: '+34612345678' }, { phone: '+34687654321' }],
    },
  },
  immediate_with_contact_data_and_recall: {
    summary: '5.2 Immediate campaign with contact data and recall',
    description:
      'Contact fields for personalization and the CRM; retries 30 and 120 minutes after the first attempt.',
    value: {
      playbook_id: EXAMPLE_PLAYBOOK_ID,
      recall: '[30,120]',
      contacts: [
        {
          phone: '+34612345678',
          first_name: 'Ana',
          last_name: 'García',
          email: 'ana@example.com',
          company: 'Acme',
          job_title: 'CTO',
          address: 'Calle Mayor 1',
          city: 'Madrid',
          state: 'Madrid',
          country: 'ES',
          postal_code: '28013',
          timezone: 'Europe/Madrid',
          utm_source: 'crm',
          utm_medium: 'email',
          utm_campaign: 'spring',
          utm_term: 'voice',
          utm_content: 'v1',
        },
        {
          phone: '+14155552671',
          first_name: 'John',
          timezone: 'America/Los_Angeles',
        },
      ],
    },
  },
  immediate_with_custom_fields: {
    summary: '5.3 Immediate campaign with custom fields',
    description: 'Custom key-value fields are merged into the stored contact.',
    value: {
      playbook_id: EXAMPLE_PLAYBOOK_ID,
      contacts: [
        {
          phone: '+34612345678',
          first_name: 'Ana',
          custom_fields: {
            plan: 'pro',
            seats: 12,
            renewal: '2027-01-31',
            vip: true,
          },
        },
      ],
    },
  },
  scheduled: {
    summary: '5.4 Scheduled campaign',
    description:
      '`launch_at` schedules the launch (no offset: read in the module defaultTimezone, UTC by default); `recall` works as for immediate campaigns.',
    value: {
      playbook_id: EXAMPLE_PLAYBOOK_ID,
      launch_at: EXAMPLE_LAUNCH_AT,
      recall: [30, 120],
      contacts: [{ phone: '+34612345678', first_name: 'Ana' }],
    },
  },
};

/**
 * Body of `POST /campaign` (seed section 3). Unknown fields are a 400, never
 * ignored: a typo such as `launchAt` must not launch a campaign now.
 */
@ApiSchema({
  description:
    'A campaign: a playbook, the contacts to call and, optionally, a launch time and a retry policy. Everything is checked before anything is written; unknown fields are a 400.',
})
export class CreateCampaignDto implements Partial<
  Record<CampaignBodyField, unknown>
> {
  @ApiProperty({
    type: String,
    format: 'uuid',
    description:
      'UUID of the playbook (assistant) used for the calls. It must be a playbook of your account; otherwise 403.',
    example: EXAMPLE_PLAYBOOK_ID,
  })
  @IsUUID('all', { message: PLAYBOOK_ID_RULES.message })
  playbook_id!: string;

  @ApiProperty({
    type: [CampaignContactDto],
    minItems: 1,
    description: `Contacts to call (1 to the module \`maxContactsPerCampaign\`, ${spaced(CONTACTS_RULES.defaultMax)} by default); each needs at least \`phone\`. Contacts are created or updated by (account, E.164 phone); the same phone twice is one contact and one call, the later item winning. One invalid contact rejects the whole request.`,
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CampaignContactDto)
  contacts!: CampaignContactDto[];

  @ApiPropertyOptional({
    type: String,
    description: `Launch date-time, ISO 8601 (\`2025-03-01T10:00:00\`). With an offset or \`Z\` it is that instant; without one it is read in the module \`defaultTimezone\` (UTC by default). Given: the campaign is \`scheduled\` for that time; absent: it runs now. More than ${LAUNCH_AT_RULES.maxPastMs / 60_000} minutes in the past or more than ${LAUNCH_AT_RULES.maxAheadYears} year ahead: 400.`,
    example: EXAMPLE_LAUNCH_AT,
  })
  @IsLaunchAt()
  launch_at?: string | null;

  @ApiPropertyOptional({
    description: `Retry policy: delays in minutes counted from the start of the first attempt, e.g. \`[30,120]\` retries 30 and 120 minutes after it. Either an array of minutes or that array as a JSON string (\`"[30,120]"\`). Whole numbers from 1 to ${spaced(RECALL_RULES.defaults.maxMinutes)}, strictly increasing, at most ${RECALL_RULES.defaults.maxEntries} entries (the module \`recall\` limits); \`[]\` or absent means no retries. A retry follows an unanswered, busy, failed or interrupted attempt.`,
    oneOf: [
      {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        example: [30, 120],
      },
      {
        type: 'string',
        description: 'The array of minutes as a JSON string.',
        example: '[30,120]',
      },
    ],
    example: '[30,120]',
  })
  @IsRecall()
  recall?: string | number[] | null;

  @ApiPropertyOptional({
    type: String,
    maxLength: TIME_ZONE_RULES.maxLength,
    nullable: true,
    description:
      "Extension to the seed. Time zone of this campaign, a valid IANA zone (`Europe/Madrid`), stored as its canonical name: the zone of the calling window for the contacts whose own `timezone` is absent and whose number gives none (the contact's zone first, then its number's, then this, then the module `defaultTimezone`). Trimmed; blank or null counts as absent.",
    example: 'Europe/Madrid',
  })
  @TrimToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(TIME_ZONE_RULES.maxLength)
  @IsIanaTimeZone({ message: TIME_ZONE_RULES.message })
  timezone?: string;

  @ApiPropertyOptional({
    type: CallingWindowDto,
    nullable: true,
    description:
      "Extension to the seed. When this campaign's calls may be placed, in each contact's local time: `start` and `end` (`HH:mm`, `end` may be `24:00`; `start` before `end`) on the ISO weekdays `days` (1 = Monday … 7 = Sunday, each once). It narrows the module's calling window and the calling rules, never widens them: calls go out only inside the intersection. Null or absent: the module's window alone.",
    example: { start: '10:00', end: '18:00', days: [1, 2, 3, 4, 5] },
  })
  // Read by the pipe (parseCampaignCallingWindow): its problems name the
  // failing part (`calling_window.days.2`), which a validator cannot.
  @Allow()
  calling_window?: unknown;
}

/** The `text/csv` request body, for the OpenAPI document. */
export const CSV_BODY_DESCRIPTION =
  'UTF-8 CSV (RFC 4180). The first row names the columns: `phone` (required), the contact fields (`first_name`, `email`, `timezone`…) and `custom_fields.<key>`; an unknown or repeated column is a 400 naming it. One contact a row; an empty cell is an absent field; cells are strings. A row with another number of cells than the header is a 400 naming it (`contacts.<i>`). The campaign fields are query parameters.';

export const CSV_BODY_EXAMPLE =
  'phone,first_name,email,custom_fields.plan\n+34612345678,Ana,ana@example.com,pro\n+34612345679,Luis,,\n';

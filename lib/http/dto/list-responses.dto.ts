import {
  ApiProperty,
  ApiPropertyOptional,
  type ApiPropertyOptions,
} from '@nestjs/swagger';
import type {
  CallAttemptSummary,
  CampaignCallSummary,
  CampaignSummary,
  CursorPage,
} from '../../campaigns/campaign-list.types';
import type {
  DoNotCallEntry,
  DoNotCallPage,
} from '../../do-not-call/do-not-call.service';
import {
  CALL_STATUSES,
  CAMPAIGN_STATUSES,
  type CallStatus,
  type CampaignStatus,
} from '../../entities/campaign-status';
import type { CallingWindow } from '../../scheduler/calling-window.interface';
import {
  CAMPAIGN_CALLING_WINDOW_PROPERTY,
  CAMPAIGN_TIMEZONE_PROPERTY,
} from './campaign-responses.dto';

/*
 * Response shapes of the lists, for the OpenAPI document only: the service
 * returns plain objects of the interfaces these classes implement.
 */

const NULLABLE_TIME: ApiPropertyOptions = {
  type: String,
  format: 'date-time',
  nullable: true,
};
const NEXT_CURSOR: ApiPropertyOptions = {
  type: String,
  nullable: true,
  description: 'Pass as `cursor` for the next page; null on the last page.',
};

export class CallAttemptSummaryDto implements CallAttemptSummary {
  @ApiProperty({ type: 'integer', example: 1, description: '1-based.' })
  number!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  started_at!: string;

  @ApiProperty({ ...NULLABLE_TIME, description: 'Null while dialing.' })
  ended_at!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'no_answer' })
  outcome!: string | null;

  @ApiProperty({ type: String, nullable: true })
  provider_call_id!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      "What the attempt was dialed under: `zones` (and `zone_source`: contact, number, campaign or default), `country`, `regions`, the `rules` applied and each zone's `local_times`.",
    example: {
      zones: ['America/New_York'],
      zone_source: 'number',
      country: 'US',
      regions: ['NY'],
      rules: ['business-window', 'us-federal'],
      local_times: { 'America/New_York': '2026-12-01T10:15:00 Tue' },
    },
  })
  verdict!: Record<string, unknown> | null;
}

export class CampaignCallSummaryDto implements CampaignCallSummary {
  @ApiProperty({ format: 'uuid' })
  call_id!: string;

  @ApiProperty({ format: 'uuid' })
  contact_id!: string;

  @ApiProperty({ example: '+34612345678', description: 'E.164.' })
  phone!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ana' })
  first_name!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'García' })
  last_name!: string | null;

  @ApiProperty({ enum: CALL_STATUSES })
  status!: CallStatus;

  @ApiProperty({ type: 'integer', example: 1 })
  attempt_count!: number;

  @ApiProperty({
    ...NULLABLE_TIME,
    description: 'When the next attempt is due; null once the call is final.',
  })
  due_at!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'no_answer' })
  last_outcome!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'Why a waiting call waits: `reason` (calling_hours, holiday, cap, in_progress, hook), `until`, the `rule` and `zone` that hold it, a `message`. For a `blocked` call: why it is never dialed. Null otherwise.',
    example: {
      reason: 'calling_hours',
      until: '2026-12-01T13:00:00.000Z',
      rule: 'us-federal',
      zone: 'America/Los_Angeles',
      message: 'us-federal is closed in America/Los_Angeles',
    },
  })
  waiting!: Record<string, unknown> | null;

  @ApiProperty({ type: [CallAttemptSummaryDto] })
  attempts!: CallAttemptSummaryDto[];
}

export class CampaignCallPageDto implements CursorPage<CampaignCallSummary> {
  @ApiProperty({ type: [CampaignCallSummaryDto] })
  data!: CampaignCallSummaryDto[];

  @ApiProperty(NEXT_CURSOR)
  next_cursor!: string | null;
}

class CampaignCallTotalDto {
  @ApiProperty({ type: 'integer', example: 2 })
  total!: number;

  @ApiPropertyOptional({
    type: 'object',
    properties: Object.fromEntries(
      CALL_STATUSES.map((status) => [status, { type: 'integer', minimum: 1 }]),
    ),
    additionalProperties: false,
    example: { queued: 1, answered: 1 },
    description:
      'Only with `counts=true`: calls by status; a status with no call is absent.',
  })
  by_status?: Partial<Record<CallStatus, number>>;
}

export class CampaignSummaryDto implements CampaignSummary {
  @ApiProperty({ format: 'uuid' })
  campaign_id!: string;

  @ApiProperty({ enum: CAMPAIGN_STATUSES })
  status!: CampaignStatus;

  @ApiProperty({ format: 'uuid' })
  playbook_id!: string;

  @ApiProperty(NULLABLE_TIME)
  launch_at!: string | null;

  @ApiProperty({ type: [Number], example: [30, 120] })
  recall!: number[];

  @ApiProperty(CAMPAIGN_TIMEZONE_PROPERTY)
  timezone!: string | null;

  @ApiProperty(CAMPAIGN_CALLING_WINDOW_PROPERTY)
  calling_window!: CallingWindow | null;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at!: string;

  @ApiProperty(NULLABLE_TIME)
  started_at!: string | null;

  @ApiProperty(NULLABLE_TIME)
  completed_at!: string | null;

  @ApiProperty({ type: CampaignCallTotalDto })
  calls!: CampaignCallTotalDto;
}

export class CampaignPageDto implements CursorPage<CampaignSummary> {
  @ApiProperty({ type: [CampaignSummaryDto] })
  data!: CampaignSummaryDto[];

  @ApiProperty(NEXT_CURSOR)
  next_cursor!: string | null;
}

export class DoNotCallEntryDto implements DoNotCallEntry {
  @ApiProperty({ example: '+34612345678', description: 'E.164.' })
  phone!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'api',
    description:
      '`api` (added through the API) or `opted_out` (a call ended so).',
  })
  reason!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at!: string;
}

export class DoNotCallPageDto implements DoNotCallPage {
  @ApiProperty({ type: [DoNotCallEntryDto] })
  data!: DoNotCallEntryDto[];

  @ApiProperty(NEXT_CURSOR)
  next_cursor!: string | null;
}

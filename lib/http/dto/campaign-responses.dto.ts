import {
  ApiProperty,
  ApiPropertyOptional,
  type ApiPropertyOptions,
  type ApiResponseExamples,
} from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import type { CampaignDetails } from '../../campaigns/campaign-query.service';
import type { CreatedCampaign } from '../../campaigns/campaign-response.interface';
import {
  CALL_STATUSES,
  CAMPAIGN_STATUSES,
  type CallStatus,
  type CampaignStatus,
} from '../../entities/campaign-status';
import type { CallingWindow } from '../../scheduler/calling-window.interface';
import type { FieldProblem } from '../../validation/field-problem';
import { CallingWindowDto } from './calling-window.dto';
import { exampleLaunchAt } from './create-campaign.dto';

/*
 * Response shapes of `POST /campaign` and `GET /campaign/:id`, for the OpenAPI
 * document only: the handlers return plain objects of the interfaces these
 * classes implement, and errors are built by the exceptions and the filter.
 */

const EXAMPLE_CAMPAIGN_ID = '5b0e6a52-8c1d-4e3f-9a7b-2c4d6e8f0a1b';
const EXAMPLE_PLAYBOOK_ID = '9f6c1d2e-4b7a-4c21-9e0f-3a5b8c7d6e1f';

/** `timezone` of a campaign as the reads show it (details and list items). */
export const CAMPAIGN_TIMEZONE_PROPERTY: ApiPropertyOptions = {
  type: String,
  nullable: true,
  example: 'Europe/Madrid',
  description:
    "Extension to the seed: the campaign's IANA zone (canonical name), used for the contacts whose own `timezone` is absent and whose number gives none; null when not given (the module `defaultTimezone`).",
};

/** `calling_window` of a campaign as the reads show it. */
export const CAMPAIGN_CALLING_WINDOW_PROPERTY: ApiPropertyOptions = {
  type: CallingWindowDto,
  nullable: true,
  example: { start: '10:00', end: '18:00', days: [1, 2, 3, 4, 5] },
  description:
    "Extension to the seed: the campaign's calling window (days ascending), which narrows the module's window and the calling rules; null when not given (the module's window alone).",
};

/** The 202 bodies of the seed (6.1 immediate, 6.2 scheduled). */
export const CREATED_CAMPAIGN_EXAMPLES: Record<string, ApiResponseExamples> = {
  immediate: {
    summary: '6.1 Campaign accepted (immediate)',
    value: {
      campaign_id: EXAMPLE_CAMPAIGN_ID,
      status: 'running',
      launch_at: null,
      contacts: 2,
      calls: 2,
      duplicates: 0,
      recall: [30, 120],
    } satisfies CreatedCampaign,
  },
  scheduled: {
    summary: '6.2 Scheduled campaign accepted',
    value: {
      campaign_id: EXAMPLE_CAMPAIGN_ID,
      status: 'scheduled',
      launch_at: `${exampleLaunchAt()}.000Z`,
      contacts: 1,
      calls: 1,
      duplicates: 0,
      recall: [30, 120],
    } satisfies CreatedCampaign,
  },
};

/** Body of the 202 answer to `POST /campaign` (seed 6.1, 6.2). */
export class CreatedCampaignResponseDto implements CreatedCampaign {
  @ApiProperty({
    format: 'uuid',
    example: EXAMPLE_CAMPAIGN_ID,
    description: 'Id of the new campaign; also in the `Location` header.',
  })
  campaign_id!: string;

  @ApiProperty({
    enum: ['running', 'scheduled'],
    example: 'running',
    description:
      '`running` for an immediate campaign, `scheduled` when `launch_at` was given.',
  })
  status!: Extract<CampaignStatus, 'running' | 'scheduled'>;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: null,
    description:
      'Launch instant in UTC (`2025-03-01T10:00:00.000Z`); null for an immediate campaign.',
  })
  launch_at!: string | null;

  @ApiProperty({
    type: 'integer',
    example: 2,
    description: 'Distinct contacts of the request (by E.164 phone).',
  })
  contacts!: number;

  @ApiProperty({
    type: 'integer',
    example: 2,
    description: 'Calls created: one per distinct contact.',
  })
  calls!: number;

  @ApiProperty({
    type: 'integer',
    example: 0,
    description:
      'Items of `contacts` that repeated an earlier phone (merged into one contact and one call).',
  })
  duplicates!: number;

  @ApiProperty({
    type: 'integer',
    isArray: true,
    example: [30, 120],
    description:
      'Retry delays in minutes, as stored for each call; `[]` means no retries.',
  })
  recall!: number[];
}

/** Calls of a campaign: the total and the count in each status. */
export class CampaignCallCountsDto {
  @ApiProperty({ type: 'integer', example: 2 })
  total!: number;

  @ApiProperty({
    type: 'object',
    properties: Object.fromEntries(
      CALL_STATUSES.map((status) => [status, { type: 'integer', minimum: 1 }]),
    ),
    additionalProperties: false,
    example: { queued: 1, answered: 1 },
    description: 'Calls by status; a status with no call is absent.',
  })
  by_status!: Partial<Record<CallStatus, number>>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 1 },
    example: { answered: 1, no_answer: 1 },
    description:
      "Calls by `last_outcome`: their latest attempt's outcome (or `opted_out` for a number on the do-not-call list); calls without one are not counted.",
  })
  by_outcome!: Record<string, number>;
}

/** Body of `GET /campaign/:id` (and of cancel, pause and resume). */
export class CampaignDetailsResponseDto implements CampaignDetails {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_CAMPAIGN_ID })
  campaign_id!: string;

  @ApiProperty({ enum: CAMPAIGN_STATUSES, example: 'running' })
  status!: CampaignStatus;

  @ApiProperty({ format: 'uuid', example: EXAMPLE_PLAYBOOK_ID })
  playbook_id!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: null,
    description: 'Launch instant in UTC; null for an immediate campaign.',
  })
  launch_at!: string | null;

  @ApiProperty({
    type: 'integer',
    isArray: true,
    example: [30, 120],
    description: 'Retry delays in minutes.',
  })
  recall!: number[];

  @ApiProperty(CAMPAIGN_TIMEZONE_PROPERTY)
  timezone!: string | null;

  @ApiProperty(CAMPAIGN_CALLING_WINDOW_PROPERTY)
  calling_window!: CallingWindow | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-11-26T09:00:00.000Z',
  })
  created_at!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-11-26T09:00:00.000Z',
    description: 'When the campaign started running; null while scheduled.',
  })
  started_at!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: null,
    description: 'When the campaign completed or was cancelled.',
  })
  completed_at!: string | null;

  @ApiProperty({ type: CampaignCallCountsDto })
  calls!: CampaignCallCountsDto;
}

/** One failing field, by its path in the body. */
export class FieldErrorDto implements FieldProblem {
  @ApiProperty({
    example: 'contacts.3.phone',
    description:
      'Path of the field in the body (`contacts.3.phone`), `body`, or a header name.',
  })
  field!: string;

  @ApiProperty({ example: '"12" is not a valid phone number' })
  message!: string;
}

/** `statusCode` and `error` of every error body, with `status` as the example. */
function ErrorResponseBase(status: number) {
  abstract class ErrorResponse {
    @ApiProperty({ type: 'integer', example: status })
    statusCode!: number;

    @ApiProperty({ example: STATUS_CODES[status] })
    error!: string;
  }
  return ErrorResponse;
}

/**
 * A 400 (also 409, 413 and 415): every failing field named, both as readable
 * lines and as `{ field, message }` pairs.
 */
export class ErrorResponseDto extends ErrorResponseBase(400) {
  @ApiProperty({
    type: String,
    isArray: true,
    example: [
      'contacts.3.phone: "12" is not a valid phone number',
      'launchAt: is not a known field',
    ],
    description: 'One `<field>: <problem>` line per failing field.',
  })
  message!: string[];

  @ApiProperty({
    type: FieldErrorDto,
    isArray: true,
    example: [
      {
        field: 'contacts.3.phone',
        message: '"12" is not a valid phone number',
      },
      { field: 'launchAt', message: 'is not a known field' },
    ],
  })
  errors!: FieldErrorDto[];
}

/** 400 of `POST /campaign`: the failing fields, and how many contacts failed. */
export class InvalidCampaignResponseDto extends ErrorResponseDto {
  @ApiPropertyOptional({
    type: 'integer',
    example: 150,
    description:
      'How many contacts failed, present when any did: `errors` names the problems of the first 100 of them only.',
  })
  invalid_contacts?: number;
}

/** 401: no, a malformed, an unknown or a revoked Bearer token. */
export class UnauthorizedResponseDto extends ErrorResponseBase(401) {
  @ApiProperty({
    enum: ['Missing Bearer token', 'Invalid or revoked token'],
    example: 'Missing Bearer token',
  })
  message!: string;
}

/** 403: the playbook is unknown or another account's (one body for both). */
export class ForbiddenResponseDto extends ErrorResponseBase(403) {
  @ApiProperty({
    example: 'playbook_id: playbook not found or not owned by your account',
  })
  message!: string;
}

/** 404: no such campaign in the caller's account. */
export class NotFoundResponseDto extends ErrorResponseBase(404) {
  @ApiProperty({ example: 'Campaign not found' })
  message!: string;
}

/** 500: a generic body; the detail is in the server log under `request_id`. */
export class InternalServerErrorResponseDto extends ErrorResponseBase(500) {
  @ApiProperty({ example: 'Internal server error' })
  message!: string;

  @ApiProperty({
    example: '0f3c9a8e-1b2d-4c5e-8f7a-6b5c4d3e2f1a',
    description:
      'Id of the request in the server log; also in the `X-Request-Id` header (a valid client `X-Request-Id` is reused).',
  })
  request_id!: string;
}

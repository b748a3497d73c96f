import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { CallingWindow } from '../../scheduler/calling-window.interface';

/**
 * A campaign's `calling_window`, for the OpenAPI document: the request reads
 * it by hand (`parseCampaignCallingWindow`), with the rules of the module's
 * calling window.
 */
@ApiSchema({
  description:
    "When this campaign's calls may be placed, in each contact's local time. It narrows the module's calling window and the calling rules, never widens them: calls go out only when both allow. Unknown keys are a 400.",
})
export class CallingWindowDto implements CallingWindow {
  @ApiProperty({
    type: String,
    pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
    description: 'Local opening time, `HH:mm` from 00:00 to 23:59.',
    example: '10:00',
  })
  start!: string;

  @ApiProperty({
    type: String,
    pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$',
    description:
      'Local closing time (exclusive), `HH:mm` from 00:00 to 23:59 or `24:00` (midnight); after `start`.',
    example: '18:00',
  })
  end!: string;

  @ApiProperty({
    type: 'integer',
    isArray: true,
    minimum: 1,
    maximum: 7,
    minItems: 1,
    maxItems: 7,
    uniqueItems: true,
    description:
      'ISO weekdays allowed, each once: 1 = Monday … 7 = Sunday. Stored in ascending order.',
    example: [1, 2, 3, 4, 5],
  })
  days!: number[];
}

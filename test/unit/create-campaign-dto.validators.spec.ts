import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateCampaignDto } from '../../lib';
import { withCreateCampaignContext } from '../../lib/validation/create-campaign.context';
import { flattenValidationErrors } from '../../lib/validation/field-problem';

const PLAYBOOK = '3f2b8c1e-7d4a-4e9b-8c21-5a6d7e8f9a0b';
const NOW = new Date('2030-06-15T12:00:00.000Z');

/** The problems of `launch_at` and `recall` as the DTO's validators name them. */
function problems(
  body: Record<string, unknown>,
  context?: Parameters<typeof withCreateCampaignContext>[1],
) {
  const dto = plainToInstance(CreateCampaignDto, {
    playbook_id: PLAYBOOK,
    contacts: [],
    ...body,
  });
  if (context) withCreateCampaignContext(dto, context);
  return flattenValidationErrors(
    validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }),
  );
}

describe('CreateCampaignDto validates launch_at and recall', () => {
  it('accepts them absent, null or valid', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ launch_at: null, recall: null })).toEqual([]);
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    expect(problems({ launch_at: inAnHour, recall: '[30,120]' })).toEqual([]);
    expect(problems({ recall: [30, 120] })).toEqual([]);
  });

  it("names them with the parsers' messages", () => {
    expect(problems({ launch_at: 'tomorrow', recall: [120, 30] })).toEqual([
      {
        field: 'launch_at',
        message:
          'must be an ISO 8601 date-time such as 2025-03-01T10:00:00 or 2025-03-01T10:00:00Z',
      },
      { field: 'recall', message: 'delays must be strictly increasing' },
    ]);
  });

  it('uses the module defaults without a context (a host ValidationPipe)', () => {
    expect(
      problems({ recall: Array.from({ length: 11 }, (_, i) => i + 1) }),
    ).toEqual([{ field: 'recall', message: 'must have at most 10 entries' }]);
  });

  it("uses the pipe's context: the module's recall limits, zone and now", () => {
    const context = {
      recall: { maxEntries: 2, maxMinutes: 60 },
      defaultTimezone: 'Europe/Madrid',
      now: NOW,
    };
    expect(problems({ recall: [30, 90] }, context)).toEqual([
      {
        field: 'recall',
        message: 'entry 1 must be a whole number of minutes from 1 to 60',
      },
    ]);
    expect(problems({ launch_at: '2030-06-15T14:03:00' }, context)).toEqual([]);
    // 13:54 in Madrid is 11:54 UTC: 6 minutes before `now`.
    expect(problems({ launch_at: '2030-06-15T13:54:00' }, context)).toEqual([
      {
        field: 'launch_at',
        message: 'must not be more than 5 minutes in the past',
      },
    ]);
  });
});

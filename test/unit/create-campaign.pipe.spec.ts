/**
 * The catalogue of bad `POST /campaign` bodies, at the pipe: no database, no
 * HTTP. What the body parser answers (malformed JSON, Content-Type, size) is
 * checked over HTTP in test/e2e/create-campaign-validation.e2e-spec.ts.
 */
import { HttpException } from '@nestjs/common';
import { resolveCampaignOptions } from '../../lib';
import { CreateCampaignPipe } from '../../lib/http/create-campaign.pipe';
import {
  CASES,
  campaign,
  expectLinesToName,
  expectSeveralBadFields,
  severalBadFields,
  label,
  MAX_CONTACTS_SMALL,
  PHONE,
  type BadInput,
  type Ctx,
} from '../support/create-campaign-bad-inputs';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string[];
  errors: { field: string; message: string }[];
}

const ctx: Ctx = { pb: '3f2b8c1e-7d4a-4e9b-8c21-5a6d7e8f9a0b' };
const pipe = new CreateCampaignPipe(resolveCampaignOptions({}));
const small = new CreateCampaignPipe(
  resolveCampaignOptions({ maxContactsPerCampaign: MAX_CONTACTS_SMALL }),
);

/** The 4xx the pipe throws for `body`, as status and body. */
async function rejection(
  body: unknown,
  on = pipe,
): Promise<{ status: number; body: ErrorBody }> {
  try {
    await on.transform(body);
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    return {
      status: error.getStatus(),
      body: error.getResponse() as ErrorBody,
    };
  }
  throw new Error(`accepted: ${JSON.stringify(body).slice(0, 200)}`);
}

const bodyOf = (c: BadInput): unknown =>
  c.raw ? (JSON.parse(c.raw(ctx)) as unknown) : c.body!(ctx);

const names = (body: ErrorBody): string[] => body.errors.map((e) => e.field);

const PIPE_CASES = CASES.filter((c) => !c.parser);

describe('CreateCampaignPipe rejects bad input', () => {
  it(`has at least 45 cases (${CASES.length}), ${PIPE_CASES.length} of them past the body parser`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
    expect(PIPE_CASES.length).toBeGreaterThanOrEqual(45);
  });

  it.each(PIPE_CASES.map((c) => [label(c), c] as const))('%s', async (_, c) => {
    const res = await rejection(bodyOf(c), c.app === 'small' ? small : pipe);
    expect(res.status).toBe(400);
    const lines = res.body.message;
    expectLinesToName(c, lines);
    expect(res.body.statusCode).toBe(400);
    expect(res.body.error).toBe('Bad Request');
    expect(names(res.body)).toContain(c.field);
    expect(res.body.errors).toHaveLength(lines.length);
    expect(lines).toEqual(
      res.body.errors.map((e) => `${e.field}: ${e.message}`),
    );
  });

  it('names several failing fields at once (contacts.0.phone, contacts.2.email, recall, launch_at, launchAt)', async () => {
    const { body } = await rejection(severalBadFields(ctx));
    expectSeveralBadFields(names(body), body.message);
  });

  it('names every failing part of calling_window at once, with timezone', async () => {
    const { body } = await rejection(
      campaign(ctx, {
        timezone: 'Mars/Phobos',
        calling_window: {
          start: '9am',
          end: '25:00',
          days: [1, 9, 1],
          tz: 'UTC',
        },
      }),
    );
    expect([...names(body)].sort()).toEqual(
      [
        'timezone',
        'calling_window.tz',
        'calling_window.start',
        'calling_window.end',
        'calling_window.days.1',
        'calling_window.days.2',
      ].sort(),
    );
  });

  it('names every failing field even when contacts is missing', async () => {
    const { body } = await rejection({ playbook_id: 'nope', recall: 'x' });
    expect(names(body)).toEqual(
      expect.arrayContaining(['playbook_id', 'contacts', 'recall']),
    );
  });

  it('names every failing field even when a contact is not an object', async () => {
    const { body } = await rejection(
      campaign(ctx, { contacts: [null, { phone: '12' }], recall: [0] }),
    );
    expect(names(body)).toEqual(
      expect.arrayContaining(['contacts.0', 'contacts.1.phone', 'recall']),
    );
  });

  it('names only the bad contact of a one-contact-bad request', async () => {
    const { body } = await rejection(
      campaign(ctx, {
        contacts: [
          { phone: '+34611000001' },
          { phone: '+34611000002' },
          { phone: '+34611000003', timezone: 'Mars/Phobos' },
        ],
      }),
    );
    expect(names(body)).toEqual(['contacts.2.timezone']);
  });

  it('lists the failing fields in a stable order: the body, the contacts, then recall, launch_at and calling_window', async () => {
    const { body } = await rejection({
      launchAt: 1,
      playbook_id: 'nope',
      contacts: [{ phone: '12' }, { phone: PHONE, email: 'x' }],
      recall: 'x',
      launch_at: 'x',
      timezone: 'Mars/Phobos',
      calling_window: 'x',
    });
    expect(names(body)).toEqual([
      'launchAt',
      'playbook_id',
      'timezone',
      'contacts.0.phone',
      'contacts.1.email',
      'recall',
      'launch_at',
      'calling_window',
    ]);
  });
});

describe('CreateCampaignPipe accepts', () => {
  it('a valid body, as a NewCampaign', async () => {
    await expect(
      pipe.transform({
        playbook_id: ctx.pb.toUpperCase(),
        contacts: [
          {
            phone: ' +34 612 345 678 ',
            first_name: ' Ana ',
            last_name: '',
            custom_fields: { plan: 'pro' },
          },
        ],
        recall: '[30,120]',
        timezone: 'europe/madrid',
        calling_window: { start: '09:00', end: '18:00', days: [5, 1] },
      }),
    ).resolves.toEqual({
      playbookId: ctx.pb,
      contacts: [
        {
          phone: PHONE,
          fields: { first_name: 'Ana' },
          customFields: { plan: 'pro' },
        },
      ],
      launchAt: null,
      recall: [30, 120],
      timezone: 'Europe/Madrid',
      callingWindow: { start: '09:00', end: '18:00', days: [1, 5] },
    });
  });
});

import {
  CALL_OUTCOMES,
  CallOutcomeService,
  CampaignEventRelayService,
  CampaignEventsService,
  InvalidOutcomeReportError,
  type CallOutcome,
  type CampaignEvent,
  type InvalidOutcomeReportField,
  type OutcomeReportDetails,
} from '../../lib';
import { createLoopTestApp, type LoopTestApp } from '../support/loop-test-app';
import { TEST_DIALECTS } from '../support/test-database';

const UNKNOWN_ID = '2b7c5a9e-3f1d-4c2a-9d8e-5f6a7b8c9d0e';
const PHONE = '+34600000001';

/** Tables a report writes to. */
const REPORT_TABLES = [
  'campaign_calls',
  'campaign_call_attempts',
  'campaign_do_not_call',
  'campaigns',
] as const;

type Report = [
  callId: unknown,
  attempt: unknown,
  outcome: unknown,
  details?: unknown,
];

const cycle: Record<string, unknown> = {};
cycle.self = cycle;

/** Malformed reports of the open attempt `id`/1, by the field they name. */
const malformed = (
  id: string,
): [string, InvalidOutcomeReportField, Report][] => [
  ['a non-UUID id', 'callId', ['not-a-uuid', 1, 'answered']],
  ['an empty id', 'callId', ['', 1, 'answered']],
  ['the id with a trailing space', 'callId', [`${id} `, 1, 'answered']],
  ['the id with a suffix', 'callId', [`${id}0`, 1, 'answered']],
  ['SQL in the id', 'callId', [`${id}' OR '1'='1`, 1, 'answered']],
  ['a 1 MB id', 'callId', ['a'.repeat(1 << 20), 1, 'answered']],
  ['a numeric id', 'callId', [42, 1, 'answered']],
  ['a null id', 'callId', [null, 1, 'answered']],
  ['attempt 0', 'attempt', [id, 0, 'answered']],
  ['attempt -1', 'attempt', [id, -1, 'answered']],
  ['attempt 1.5', 'attempt', [id, 1.5, 'answered']],
  ['attempt NaN', 'attempt', [id, Number.NaN, 'answered']],
  ['attempt Infinity', 'attempt', [id, Infinity, 'answered']],
  ['attempt 2^31 (beyond int)', 'attempt', [id, 2 ** 31, 'answered']],
  ['attempt "1"', 'attempt', [id, '1', 'answered']],
  ['an unknown outcome', 'outcome', [id, 1, 'bogus']],
  ['an outcome in capitals', 'outcome', [id, 1, 'ANSWERED']],
  ['an empty outcome', 'outcome', [id, 1, '']],
  ['no outcome', 'outcome', [id, 1, undefined]],
  ['null details', 'details', [id, 1, 'answered', null]],
  ['array details', 'details', [id, 1, 'answered', []]],
  ['string details', 'details', [id, 1, 'answered', 'x']],
  ['Date details', 'details', [id, 1, 'answered', new Date()]],
  ['Map details', 'details', [id, 1, 'answered', new Map([['a', 1]])]],
  [
    'a numeric providerCallId',
    'details',
    [id, 1, 'answered', { providerCallId: 5 }],
  ],
  [
    'a providerCallId over 255 characters',
    'details',
    [id, 1, 'answered', { providerCallId: 'p'.repeat(256) }],
  ],
  [
    'a providerCallId with NUL',
    'details',
    [id, 1, 'answered', { providerCallId: 'a\0b' }],
  ],
  ['a BigInt in details', 'details', [id, 1, 'answered', { n: 1n }]],
  ['a cycle in details', 'details', [id, 1, 'answered', cycle]],
  ['NUL in a details value', 'details', [id, 1, 'answered', { a: 'x\0' }]],
  ['NUL in a details key', 'details', [id, 1, 'answered', { 'k\0': 1 }]],
  [
    'an unpaired surrogate in details',
    'details',
    [id, 1, 'answered', { nested: { a: ['\ud800'] } }],
  ],
];

describe.each(TEST_DIALECTS)('CallOutcomeService.report (%s)', (dialect) => {
  let t: LoopTestApp;
  let outcomes: CallOutcomeService;
  let events: CampaignEvent[];
  let callId: string;

  beforeAll(async () => {
    t = await createLoopTestApp(dialect, { [PHONE]: ['async'] });
    outcomes = t.app.get(CallOutcomeService);
    events = [];
    t.app.get(CampaignEventsService).subscribe((e) => {
      events.push(e);
    });
    await t
      .post({
        playbook_id: t.playbookId,
        recall: [30],
        contacts: [{ phone: PHONE }],
      })
      .expect(202);
    await t.round();
    const [call] = await t.rows<{ id: string; status: string }>(
      'campaign_calls',
    );
    expect(call.status).toBe('dialing');
    callId = call.id;
    events.length = 0;
  });
  afterAll(() => t?.close());

  const snapshot = () =>
    Promise.all(
      REPORT_TABLES.map((table) =>
        t.dataSource.query(`SELECT * FROM ${table} ORDER BY 1`),
      ),
    );
  const report = (args: Report) =>
    outcomes.report(
      args[0] as string,
      args[1] as number,
      args[2] as CallOutcome,
      ...(args.length > 3 ? [args[3] as OutcomeReportDetails] : []),
    );

  it('rejects every malformed report with an InvalidOutcomeReportError naming the field, and writes nothing', async () => {
    const before = await snapshot();
    const cases = malformed(callId);
    for (const [label, field, args] of cases) {
      const error: unknown = await report(args).then(
        () => new Error(`${label}: resolved`),
        (e: unknown) => e,
      );
      expect({ label, error }).toEqual({
        label,
        error: expect.any(InvalidOutcomeReportError),
      });
      const typed = error as InvalidOutcomeReportError;
      expect({ label, field: typed.field }).toEqual({ label, field });
      expect(typed).toBeInstanceOf(Error);
      expect(typed.name).toBe('InvalidOutcomeReportError');
      expect(typed.message.startsWith(`${field}: `)).toBe(true);
      // The message never echoes the (possibly huge) value.
      expect(typed.message.length).toBeLessThan(200);
    }
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(await snapshot()).toEqual(before);
    expect(events).toEqual([]);
  });

  it('answers false, without writing, for a well-formed report of no open attempt', async () => {
    const before = await snapshot();
    expect(await outcomes.report(UNKNOWN_ID, 1, 'answered')).toBe(false);
    expect(await outcomes.report(UNKNOWN_ID.toUpperCase(), 1, 'busy')).toBe(
      false,
    );
    // The real call, a later attempt or a huge one that still fits the column.
    expect(await outcomes.report(callId, 2, 'answered')).toBe(false);
    expect(await outcomes.report(callId, 2 ** 31 - 1, 'answered')).toBe(false);
    expect(await snapshot()).toEqual(before);
    expect(events).toEqual([]);
  });

  it('still records a valid report (id in any case, providerCallId of 255 characters)', async () => {
    expect(CALL_OUTCOMES).toContain('no_answer');
    expect(
      await outcomes.report(callId.toUpperCase(), 1, 'no_answer', {
        providerCallId: 'p'.repeat(255),
        duration: 0,
        nested: { emoji: '\ud83d\ude00' },
      }),
    ).toBe(true);
    const [attempt] = await t.rows<{
      outcome: string;
      provider_call_id: string;
    }>('campaign_call_attempts');
    expect(attempt).toMatchObject({
      outcome: 'no_answer',
      provider_call_id: 'p'.repeat(255),
    });
    await t.app.get(CampaignEventRelayService).drain();
    // no_answer with a recall left: the call waits, it is not finished.
    expect(events.map((e) => e.type)).toEqual(['call.attempt.finished']);
    // A duplicate is ignored, not an error.
    expect(await outcomes.report(callId, 1, 'answered')).toBe(false);
  });
});

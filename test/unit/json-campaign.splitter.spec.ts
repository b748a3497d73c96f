import {
  JsonCampaignSplitter,
  MalformedJsonError,
} from '../../lib/imports/json-campaign.splitter';
import {
  hashCampaignRequest,
  hashStreamedCampaignRequest,
  canonicalJson,
  canonicalContactJson,
} from '../../lib/idempotency/canonical-request-hash';
import type { NewCampaign } from '../../lib/campaigns/new-campaign.interface';

/** Splits `text` fed `size` bytes at a time; the fields and contacts it gave. */
function split(text: string, size: number) {
  const fields: Record<string, unknown> = {};
  const contacts: unknown[] = [];
  let arrays = 0;
  const splitter = new JsonCampaignSplitter({
    field: (k, v) => {
      fields[k] = v;
    },
    contactsArray: () => arrays++,
    contact: (c) => contacts.push(c),
  });
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) {
    splitter.write(bytes.subarray(i, i + size));
  }
  splitter.end();
  return { fields, contacts, arrays, notObject: splitter.notObject };
}

const SIZES = [1, 2, 3, 7, 64, 1 << 20];

describe('JsonCampaignSplitter', () => {
  const body = {
    playbook_id: '3f2b8c1e-7d4a-4e9b-8c21-5a6d7e8f9a0b',
    recall: '[30,120]',
    contacts: [
      { phone: '+34612345678', first_name: 'Iñigo "el } raro" ]', n: -1.5e3 },
      {
        phone: '+34612345679',
        custom_fields: { a: [1, { b: null }], t: true },
      },
      'not an object',
      42,
      null,
      [],
    ],
    calling_window: { start: '09:00', end: '18:00', days: [1, 2] },
    pad: 'ü€😀\\"\\\\',
    n: 0,
  };

  it.each(SIZES)(
    'gives what JSON.parse gives, fed %i bytes at a time',
    (size) => {
      const text = `\ufeff ${JSON.stringify(body, null, size % 2 ? 2 : 0)} \n`;
      const { fields, contacts, arrays } = split(text, size);
      const { contacts: expected, ...rest } = body;
      expect(fields).toEqual(rest);
      expect(contacts).toEqual(expected);
      expect(arrays).toBe(1);
    },
  );

  it('hands `contacts` that is not an array over as a field', () => {
    expect(split('{"contacts":{"phone":"1"}}', 3).fields).toEqual({
      contacts: { phone: '1' },
    });
    expect(split('{"contacts":null}', 1).fields).toEqual({ contacts: null });
    expect(split('{"contacts":[]}', 1)).toMatchObject({
      arrays: 1,
      contacts: [],
    });
  });

  it.each([
    '',
    '{',
    '{"a":1',
    '{"a":1,}',
    '{"a" 1}',
    '{"a":1 "b":2}',
    '{"contacts":[{"phone":"1"},]}',
    '{"contacts":[,{"phone":"1"}]}',
    '{"contacts":[{"phone":"1"}{"phone":"2"}]}',
    '{"contacts":[{"phone":"1"]}',
    '{"a":tru}',
    '{"a":1}}',
    '{"a":1} x',
    '{a:1}',
    '{"contacts":[],"contacts":[]}',
    '[1,',
  ])('refuses malformed JSON %j', (text) => {
    for (const size of [1, 4, 1 << 20]) {
      expect(() => split(text, size)).toThrow(MalformedJsonError);
    }
  });

  it.each(['[1,2]', '"text"', '42', 'null'])(
    'tells valid JSON that is no object (%s) from malformed',
    (text) => {
      expect(split(text, 1).notObject).toBe(true);
    },
  );
});

describe('hashStreamedCampaignRequest', () => {
  const base: NewCampaign = {
    playbookId: '3f2b8c1e-7d4a-4e9b-8c21-5a6d7e8f9a0b',
    contacts: [
      { phone: '+34612345678', fields: { first_name: 'Ana', city: 'Madrid' } },
      { phone: '+34612345679', fields: {}, customFields: { b: 1, a: 'x' } },
      { phone: '+34612345678', fields: { last_name: 'García' } },
    ],
    launchAt: new Date('2030-03-01T10:00:00Z'),
    recall: [30, 120],
  };
  const streamed = async (request: NewCampaign) => {
    const { contacts, ...rest } = request;
    async function* lines() {
      for (const c of contacts) yield canonicalJson(c);
    }
    return hashStreamedCampaignRequest(rest, lines());
  };

  it.each([
    ['the seed fields', base],
    ['no launch_at, no retries', { ...base, launchAt: null, recall: [] }],
    ['a timezone', { ...base, timezone: 'Europe/Madrid' }],
    [
      'a calling window',
      {
        ...base,
        timezone: null,
        callingWindow: { start: '09:00', end: '18:00', days: [1, 2, 3] },
      },
    ],
    ['one contact', { ...base, contacts: base.contacts.slice(0, 1) }],
  ])('equals hashCampaignRequest: %s', async (_, request) => {
    expect(await streamed(request as NewCampaign)).toBe(
      hashCampaignRequest(request as NewCampaign),
    );
  });

  it('writes each contact as canonicalJson does', () => {
    for (const contact of [
      ...base.contacts,
      { phone: '+1', fields: { utm_term: 'é"\\', email: 'a@b.c' } },
      { phone: '+1', fields: {}, customFields: { z: null, a: true, m: 1.5 } },
    ]) {
      expect(canonicalContactJson(contact)).toBe(canonicalJson(contact));
    }
  });

  it('differs when a contact differs', async () => {
    const other = {
      ...base,
      contacts: [
        ...base.contacts.slice(0, 2),
        { phone: '+34612345670', fields: {} },
      ],
    };
    expect(await streamed(other)).not.toBe(hashCampaignRequest(base));
  });
});

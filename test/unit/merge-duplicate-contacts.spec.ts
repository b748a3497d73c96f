import { mergeDuplicateContacts } from '../../lib/campaigns/merge-duplicate-contacts';
import type { NewContact } from '../../lib/campaigns/new-campaign.interface';

const contact = (
  phone: string,
  fields: NewContact['fields'] = {},
  customFields?: NewContact['customFields'],
): NewContact =>
  customFields ? { phone, fields, customFields } : { phone, fields };

describe('mergeDuplicateContacts', () => {
  it('returns nothing for nothing', () => {
    expect(mergeDuplicateContacts([])).toEqual([]);
  });

  it('keeps distinct phones, sorted by phone', () => {
    const a = contact('+34612345678', { first_name: 'Ana' });
    const b = contact('+14155552671', { first_name: 'Bob' });
    const c = contact('+447400123456');
    expect(mergeDuplicateContacts([a, b, c])).toEqual([b, a, c]);
  });

  it('merges the same phone into one contact', () => {
    const merged = mergeDuplicateContacts([
      contact('+34612345678'),
      contact('+34687654321'),
      contact('+34612345678'),
    ]);
    expect(merged.map((c) => c.phone)).toEqual([
      '+34612345678',
      '+34687654321',
    ]);
  });

  it("a later item's fields win", () => {
    expect(
      mergeDuplicateContacts([
        contact('+34612345678', { first_name: 'Ana', city: 'Madrid' }),
        contact('+34612345678', { first_name: 'Anita' }),
      ]),
    ).toEqual([
      contact('+34612345678', { first_name: 'Anita', city: 'Madrid' }),
    ]);
  });

  it('fields a later item lacks keep the earlier values', () => {
    expect(
      mergeDuplicateContacts([
        contact('+34612345678', { email: 'ana@example.com' }),
        contact('+34612345678', { last_name: 'García' }),
      ]),
    ).toEqual([
      contact('+34612345678', {
        email: 'ana@example.com',
        last_name: 'García',
      }),
    ]);
  });

  it('merges three occurrences in order', () => {
    expect(
      mergeDuplicateContacts([
        contact('+34612345678', { first_name: 'A', city: 'Madrid' }),
        contact('+34612345678', { first_name: 'B', company: 'Acme' }),
        contact('+34612345678', { first_name: 'C' }),
      ]),
    ).toEqual([
      contact('+34612345678', {
        first_name: 'C',
        city: 'Madrid',
        company: 'Acme',
      }),
    ]);
  });

  describe('custom_fields merge key by key', () => {
    it('later keys win, other keys are kept', () => {
      expect(
        mergeDuplicateContacts([
          contact('+34612345678', {}, { plan: 'free', seats: 1 }),
          contact('+34612345678', {}, { plan: 'pro', vip: true }),
        ]),
      ).toEqual([
        contact('+34612345678', {}, { plan: 'pro', seats: 1, vip: true }),
      ]);
    });

    it('a null value overwrites', () => {
      expect(
        mergeDuplicateContacts([
          contact('+34612345678', {}, { note: 'call back' }),
          contact('+34612345678', {}, { note: null }),
        ])[0].customFields,
      ).toEqual({ note: null });
    });

    it('only the earlier item has them', () => {
      expect(
        mergeDuplicateContacts([
          contact('+34612345678', {}, { plan: 'pro' }),
          contact('+34612345678', { first_name: 'Ana' }),
        ]),
      ).toEqual([
        contact('+34612345678', { first_name: 'Ana' }, { plan: 'pro' }),
      ]);
    });

    it('only the later item has them', () => {
      expect(
        mergeDuplicateContacts([
          contact('+34612345678'),
          contact('+34612345678', {}, { plan: 'pro' }),
        ])[0].customFields,
      ).toEqual({ plan: 'pro' });
    });

    it('neither has them: stays undefined', () => {
      const [merged] = mergeDuplicateContacts([
        contact('+34612345678'),
        contact('+34612345678'),
      ]);
      expect(merged.customFields).toBeUndefined();
    });
  });

  it('does not change its input', () => {
    const first = contact('+34612345678', { first_name: 'Ana' }, { a: 1 });
    const second = contact('+34612345678', { city: 'Madrid' }, { b: 2 });
    const snapshot = JSON.parse(JSON.stringify([first, second]));
    mergeDuplicateContacts([first, second]);
    expect([first, second]).toEqual(snapshot);
  });

  it('counts: 10 000 items over 100 phones give 100 contacts', () => {
    const items = Array.from({ length: 10_000 }, (_, i) =>
      contact(`+346123456${String(i % 100).padStart(2, '0')}`, {
        first_name: `n${i}`,
      }),
    );
    const merged = mergeDuplicateContacts(items);
    expect(merged).toHaveLength(100);
    expect(merged[0]).toEqual(contact('+34612345600', { first_name: 'n9900' }));
    const phones = merged.map((c) => c.phone);
    expect(phones).toEqual([...phones].sort());
  });
});

/** Realistic contacts (Spanish mobiles, valid for libphonenumber-js) and request bodies. */
export interface BenchContact {
  phone: string;
  first_name: string;
  last_name: string;
  email: string;
  city: string;
  timezone: string;
}

const FIRST = [
  'Ana',
  'José',
  'Lucía',
  'Martín',
  'María',
  'Hugo',
  'Elena',
  'Iñigo',
];
const LAST = ['García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Núñez'];
const CITIES: [string, string][] = [
  ['Madrid', 'Europe/Madrid'],
  ['Barcelona', 'Europe/Madrid'],
  ['Sevilla', 'Europe/Madrid'],
  ['Las Palmas de Gran Canaria', 'Atlantic/Canary'],
];

export const RECALL = [30, 120];

/** `+34 6xx xxx xxx`, never the same twice in one process. */
let nextPhone = 10_000_000;

export function makeContacts(n: number): BenchContact[] {
  const contacts: BenchContact[] = [];
  for (let i = 0; i < n; i++) {
    const number = nextPhone++;
    if (number > 99_999_999) throw new Error('phone numbers exhausted');
    const first = FIRST[number % FIRST.length];
    const last = LAST[(number >> 3) % LAST.length];
    const [city, timezone] = CITIES[(number >> 5) % CITIES.length];
    contacts.push({
      phone: `+346${number}`,
      first_name: first,
      last_name: last,
      email: `c${number}@example.com`,
      city,
      timezone,
    });
  }
  return contacts;
}

export const CSV_COLUMNS = [
  'phone',
  'first_name',
  'last_name',
  'email',
  'city',
  'timezone',
] as const;

export function jsonBody(playbookId: string, contacts: BenchContact[]): Buffer {
  return Buffer.from(
    JSON.stringify({ playbook_id: playbookId, contacts, recall: RECALL }),
  );
}

/** A header line, then one line a contact (no field here needs quoting). */
export function csvBody(contacts: BenchContact[]): Buffer {
  const lines = [CSV_COLUMNS.join(',')];
  for (const c of contacts) lines.push(CSV_COLUMNS.map((k) => c[k]).join(','));
  return Buffer.from(`${lines.join('\n')}\n`);
}

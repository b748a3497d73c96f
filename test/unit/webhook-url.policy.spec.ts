import type { LookupAddress } from 'node:dns';
import {
  isNonPublicAddress,
  WebhookUrlPolicy,
  WebhookUrlRefusedError,
  type WebhookLookupFunction,
} from '../../lib';

/** A resolver answering from a table, and counting its calls. */
function fakeDns(answers: Record<string, string[] | string[][]>) {
  const calls: string[] = [];
  const lookup: WebhookLookupFunction = (hostname, _options, callback) => {
    calls.push(hostname);
    const entry = answers[hostname];
    if (!entry) {
      const error = Object.assign(
        new Error(`getaddrinfo ENOTFOUND ${hostname}`),
        {
          code: 'ENOTFOUND',
        },
      );
      return callback(error, []);
    }
    // A list of lists answers one list per call (DNS rebinding).
    const round = Array.isArray(entry[0])
      ? (entry as string[][])[
          Math.min(
            calls.filter((h) => h === hostname).length - 1,
            entry.length - 1,
          )
        ]
      : (entry as string[]);
    callback(
      null,
      round.map((address) => ({
        address,
        family: address.includes(':') ? 6 : 4,
      })),
    );
  };
  return { lookup, calls };
}

const policy = (
  options: Partial<ConstructorParameters<typeof WebhookUrlPolicy>[0]> = {},
) =>
  new WebhookUrlPolicy({
    allowPrivateTargets: false,
    allowHttp: false,
    ...options,
  });

describe('isNonPublicAddress', () => {
  it.each([
    ['0.0.0.0', '"this network" 0.0.0.0/8'],
    ['0.1.2.3', '0.0.0.0/8'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8'],
    ['100.64.0.1', 'CGNAT 100.64/10'],
    ['100.127.255.254', 'CGNAT 100.64/10'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback 127/8'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['192.0.2.10', 'TEST-NET-1'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['fc00::1', 'unique local fc00::/7'],
    ['fd12:3456::1', 'unique local fc00::/7'],
    ['fe80::1', 'link-local fe80::/10'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback (hex)'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['not-an-ip', 'not an address'],
  ])('%s is refused (%s)', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('WebhookUrlPolicy', () => {
  const dns = fakeDns({
    'hooks.example.com': ['93.184.216.34'],
    'dual.example.com': ['93.184.216.34', '10.0.0.5'],
    'intranet.corp': ['10.1.2.3'],
    localhost: ['127.0.0.1', '::1'],
  });

  it('accepts an https URL that resolves to public addresses only', async () => {
    const url = await policy({ lookup: dns.lookup }).check(
      'https://hooks.example.com/calls?x=1',
    );
    expect(url.toString()).toBe('https://hooks.example.com/calls?x=1');
  });

  it.each([
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /https/],
    ['not a url', /absolute/],
    ['https://user:pw@hooks.example.com/', /credentials/],
    ['https://hooks.example.com/#frag', /fragment/],
    [`https://hooks.example.com/${'a'.repeat(2100)}`, /at most 2048/],
    ['https://127.0.0.1/', /non-public address \(127\.0\.0\.1\)/],
    ['https://[::1]/', /non-public/],
    ['https://[::ffff:127.0.0.1]/', /non-public/],
    ['https://2130706433/', /non-public address \(127\.0\.0\.1\)/],
    ['https://0x7f.1/', /non-public/],
    ['https://169.254.169.254/latest/meta-data', /non-public/],
    ['https://localhost/', /resolves to a non-public address/],
    ['https://dual.example.com/', /10\.0\.0\.5/],
    ['https://nowhere.invalid/', /could not be resolved \(ENOTFOUND\)/],
  ])('refuses %s', async (value, message) => {
    const check = policy({ lookup: dns.lookup }).check(value);
    await expect(check).rejects.toBeInstanceOf(WebhookUrlRefusedError);
    await expect(check).rejects.toThrow(message);
  });

  it('allows http and private targets only as the host says', async () => {
    await expect(
      policy({ lookup: dns.lookup, allowHttp: true }).check(
        'http://hooks.example.com/',
      ),
    ).resolves.toBeInstanceOf(URL);
    await expect(
      policy({ lookup: dns.lookup, allowPrivateTargets: true }).check(
        'https://localhost/',
      ),
    ).resolves.toBeInstanceOf(URL);
    const list = policy({
      lookup: dns.lookup,
      allowPrivateTargets: ['intranet.corp', '127.0.0.0/8', '::1'],
    });
    await expect(list.check('https://intranet.corp/')).resolves.toBeInstanceOf(
      URL,
    );
    await expect(list.check('https://127.0.0.9/')).resolves.toBeInstanceOf(URL);
    await expect(list.check('https://localhost/')).resolves.toBeInstanceOf(URL);
    await expect(list.check('https://192.168.1.1/')).rejects.toThrow(
      /non-public/,
    );
  });

  it('checks again at connect time: a host that rebinds to loopback is refused', async () => {
    const rebinding = fakeDns({
      'rebind.example.com': [['93.184.216.34'], ['127.0.0.1']],
    });
    const p = policy({ lookup: rebinding.lookup });
    await expect(
      p.check('https://rebind.example.com/'),
    ).resolves.toBeInstanceOf(URL);
    const connect = p.connectLookup();
    const result = await new Promise<{ error: Error | null; address: unknown }>(
      (resolve) =>
        connect('rebind.example.com', { all: true }, (error, address) =>
          resolve({ error, address }),
        ),
    );
    expect(result.error).toBeInstanceOf(WebhookUrlRefusedError);
    expect(result.error?.message).toMatch(/127\.0\.0\.1/);
    expect(rebinding.calls).toEqual([
      'rebind.example.com',
      'rebind.example.com',
    ]);
  });

  it('connect lookup answers in both of the forms net asks for', async () => {
    const connect = policy({ lookup: dns.lookup }).connectLookup();
    const all = await new Promise<LookupAddress[]>((resolve, reject) =>
      connect('hooks.example.com', { all: true }, (error, addresses) =>
        error ? reject(error) : resolve(addresses as LookupAddress[]),
      ),
    );
    expect(all).toEqual([{ address: '93.184.216.34', family: 4 }]);
    const one = await new Promise<[string, number | undefined]>(
      (resolve, reject) =>
        connect('hooks.example.com', {}, (error, address, family) =>
          error ? reject(error) : resolve([address as string, family]),
        ),
    );
    expect(one).toEqual(['93.184.216.34', 4]);
  });
});

import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type {
  ResolvedWebhookOptions,
  WebhookLookupFunction,
} from '../options/campaign-module-options.interface';

/** Longest endpoint URL accepted. */
export const WEBHOOK_URL_MAX_LENGTH = 2_048;

/**
 * Addresses a webhook must not reach unless the host allows them: loopback,
 * private (RFC 1918, unique local), link-local (169.254/16 holds the cloud
 * metadata services), CGNAT, "this network", multicast, broadcast and the
 * other special-purpose ranges of the IANA registries (RFC 6890). Standard
 * Webhooks names SSRF as the risk of webhook senders ("prevent the webhooks
 * from calling into internal networks and services").
 */
const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const BLOCKED_V6: readonly [string, number][] = [
  ['::', 96],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const blocked = new BlockList();
for (const [net, bits] of BLOCKED_V4) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of BLOCKED_V6) blocked.addSubnet(net, bits, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 address. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(
    lower,
  );
  if (!hex) return null;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Whether an IP address is in one of the blocked ranges (not counting what the host allows). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(address);
  if (v4) return blocked.check(v4, 'ipv4');
  return blocked.check(address, 'ipv6');
}

/** Why a URL is refused, as a 400 says it (`url: …`). */
export class WebhookUrlRefusedError extends Error {
  readonly code = 'WEBHOOK_URL_REFUSED';
}

export interface LookupAddress {
  address: string;
  family: number;
}

const defaultLookup: WebhookLookupFunction = (hostname, options, callback) =>
  dnsLookup(hostname, options, callback);

/**
 * Where webhooks may go (SSRF). A URL is checked when it is registered and
 * again at every connection: the request's `lookup` refuses a host that now
 * resolves to a blocked address (DNS rebinding), and an IP literal is checked
 * before connecting.
 */
export class WebhookUrlPolicy {
  private readonly allowAll: boolean;
  private readonly allowedHosts = new Set<string>();
  private readonly allowedNets = new BlockList();
  private readonly lookupAll: WebhookLookupFunction;

  constructor(
    private readonly options: Pick<
      ResolvedWebhookOptions,
      'allowPrivateTargets' | 'allowHttp' | 'lookup'
    >,
  ) {
    const allow = options.allowPrivateTargets;
    this.allowAll = allow === true;
    if (Array.isArray(allow)) {
      for (const entry of allow) {
        const [address, bits] = entry.split('/');
        const family = isIP(address);
        if (!family) {
          this.allowedHosts.add(entry.toLowerCase().replace(/\.$/, ''));
        } else if (bits === undefined) {
          this.allowedNets.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
        } else {
          this.allowedNets.addSubnet(
            address,
            Number(bits),
            family === 4 ? 'ipv4' : 'ipv6',
          );
        }
      }
    }
    this.lookupAll = options.lookup ?? defaultLookup;
  }

  /** The URL, parsed, when its form is acceptable (no DNS yet); else throws. */
  parse(value: string): URL {
    if (value.length > WEBHOOK_URL_MAX_LENGTH) {
      throw new WebhookUrlRefusedError(
        `must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`,
      );
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new WebhookUrlRefusedError('must be an absolute http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new WebhookUrlRefusedError('must be an https URL');
    }
    if (url.protocol === 'http:' && !this.options.allowHttp) {
      throw new WebhookUrlRefusedError(
        'must be an https URL (http is not allowed by this server)',
      );
    }
    if (url.username || url.password) {
      throw new WebhookUrlRefusedError('must not contain credentials');
    }
    if (url.hash) throw new WebhookUrlRefusedError('must not have a fragment');
    if (!url.hostname) throw new WebhookUrlRefusedError('must name a host');
    return url;
  }

  /** Registration check: the form, then every address the host resolves to now. */
  async check(value: string): Promise<URL> {
    const url = this.parse(value);
    const host = hostOf(url);
    if (isIP(host)) {
      this.assertAddress(host, host);
      return url;
    }
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      this.lookupAll(host, { all: true }, (error, found) =>
        error ? reject(error) : resolve(found),
      ),
    ).catch((error: NodeJS.ErrnoException) => {
      throw new WebhookUrlRefusedError(
        `host "${host}" could not be resolved (${error.code ?? error.message})`,
      );
    });
    if (!addresses.length) {
      throw new WebhookUrlRefusedError(`host "${host}" has no address`);
    }
    for (const { address } of addresses) this.assertAddress(host, address);
    return url;
  }

  /** Throws when `address` (which `host` resolved to) is not a permitted target. */
  assertAddress(host: string, address: string): void {
    if (this.isAllowed(host, address)) return;
    throw new WebhookUrlRefusedError(
      host === address
        ? `targets a non-public address (${address})`
        : `host "${host}" resolves to a non-public address (${address})`,
    );
  }

  isAllowed(host: string, address: string): boolean {
    if (this.allowAll || !isNonPublicAddress(address)) return true;
    if (this.allowedHosts.has(host.toLowerCase().replace(/\.$/, ''))) {
      return true;
    }
    const family = isIP(address);
    return (
      family !== 0 &&
      this.allowedNets.check(address, family === 4 ? 'ipv4' : 'ipv6')
    );
  }

  /**
   * A `lookup` for `http.request` that resolves every address and fails the
   * connection when any is refused: the check happens on the addresses the
   * socket will use, so a second answer of the DNS cannot slip past it.
   */
  connectLookup(): LookupFunction {
    return (hostname, options, callback) => {
      const family =
        options.family === 'IPv4'
          ? 4
          : options.family === 'IPv6'
            ? 6
            : options.family;
      this.lookupAll(
        hostname,
        { all: true, ...(family ? { family } : {}) },
        (error, addresses) => {
          if (error) return callback(error, []);
          if (!addresses.length) {
            return callback(
              new WebhookUrlRefusedError(`host "${hostname}" has no address`),
              [],
            );
          }
          try {
            for (const { address } of addresses) {
              this.assertAddress(hostname, address);
            }
          } catch (refused) {
            return callback(refused as NodeJS.ErrnoException, []);
          }
          if (options.all) return callback(null, addresses);
          callback(null, addresses[0].address, addresses[0].family);
        },
      );
    };
  }
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

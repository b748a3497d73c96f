import { BlockList, isIP } from 'node:net';
import type {
  ResolvedWebhookOptions,
  WebhookOptions,
} from '../options/campaign-module-options.interface';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

export const WEBHOOK_OPTION_DEFAULTS = {
  deliver: true,
  allowPrivateTargets: false,
  allowHttp: false,
  pollIntervalMs: 1_000,
  maxConcurrency: 8,
  maxPerEndpoint: 2,
  // Standard Webhooks recommends a request timeout "between 15 and 30s"
  // (spec/standard-webhooks.md, "Request timeouts").
  requestTimeoutMs: 15_000,
  maxResponseBytes: 64 * 1024,
  retryBaseDelayMs: 5_000,
  retryMaxDelayMs: 6 * HOUR_MS,
  retryForMs: 3 * DAY_MS,
  // Svix: "If all attempts to a specific endpoint fail for a period of 5
  // days, the endpoint will be disabled" (https://docs.svix.com/retries).
  disableAfterMs: 5 * DAY_MS,
  maxEndpointsPerAccount: 20,
} as const satisfies Required<Omit<WebhookOptions, 'lookup'>>;

/** The issue asks for retries over at least 24 h. */
export const WEBHOOK_MIN_RETRY_FOR_MS = DAY_MS;

export function resolveWebhookOptions(
  given: Partial<WebhookOptions>,
): ResolvedWebhookOptions {
  return { ...WEBHOOK_OPTION_DEFAULTS, ...given };
}

/** What is wrong with the resolved options, each named `webhooks.<key>`. */
export function webhookOptionProblems(o: ResolvedWebhookOptions): string[] {
  const problems: string[] = [];
  for (const key of [
    'pollIntervalMs',
    'maxConcurrency',
    'maxPerEndpoint',
    'requestTimeoutMs',
    'maxResponseBytes',
    'retryBaseDelayMs',
    'retryMaxDelayMs',
    'retryForMs',
    'disableAfterMs',
    'maxEndpointsPerAccount',
  ] as const) {
    const value = o[key];
    if (!Number.isInteger(value) || value < 1) {
      problems.push(`webhooks.${key} must be a positive integer`);
    }
  }
  if (o.retryMaxDelayMs < o.retryBaseDelayMs) {
    problems.push('webhooks.retryMaxDelayMs must be at least retryBaseDelayMs');
  }
  if (o.retryForMs < WEBHOOK_MIN_RETRY_FOR_MS) {
    problems.push(
      `webhooks.retryForMs must be at least ${WEBHOOK_MIN_RETRY_FOR_MS} (24 h)`,
    );
  }
  for (const key of ['deliver', 'allowHttp'] as const) {
    if (typeof o[key] !== 'boolean') {
      problems.push(`webhooks.${key} must be true or false`);
    }
  }
  if (o.lookup !== undefined && typeof o.lookup !== 'function') {
    problems.push('webhooks.lookup must be a function');
  }
  const allow = o.allowPrivateTargets;
  if (typeof allow !== 'boolean') {
    if (!Array.isArray(allow)) {
      problems.push(
        'webhooks.allowPrivateTargets must be true, false or a list of hosts, IPs and CIDRs',
      );
    } else {
      for (const entry of allow) {
        if (!isAllowEntry(entry)) {
          problems.push(
            `webhooks.allowPrivateTargets: "${String(entry)}" is not a host name, IP or CIDR`,
          );
        }
      }
    }
  }
  return problems;
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

function isAllowEntry(entry: unknown): boolean {
  if (typeof entry !== 'string') return false;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined) return false;
  if (bits === undefined) return isIP(address) !== 0 || HOST_NAME.test(entry);
  const family = isIP(address);
  const prefix = Number(bits);
  if (!family || !/^\d{1,3}$/.test(bits)) return false;
  if (prefix > (family === 4 ? 32 : 128)) return false;
  try {
    new BlockList().addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false;
  }
}

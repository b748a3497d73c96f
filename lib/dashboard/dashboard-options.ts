import type { DashboardOptions } from '../options/campaign-module-options.interface';
import { normalizeRoutePrefix } from '../options/resolve-campaign-options';

export const DASHBOARD_DEFAULTS = {
  path: 'campaign-dashboard',
  refreshIntervalMs: 2_000,
} as const;

const MIN_REFRESH_MS = 250;
const MAX_REFRESH_MS = 3_600_000;
const PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/** The dashboard as its controller serves it. */
export interface ResolvedDashboardOptions {
  /** Without leading or trailing slashes. */
  path: string;
  refreshIntervalMs: number;
  /** The module's route prefix: where the page's API calls go. */
  apiPrefix: string;
}

const KNOWN: { readonly [K in keyof Required<DashboardOptions>]: true } = {
  path: true,
  refreshIntervalMs: true,
};

/**
 * The `dashboard` extra of forRoot, checked when the module is imported (its
 * path shapes the routes): `null` when it is not given.
 */
export function resolveDashboardOptions(
  given: DashboardOptions | undefined,
  routePrefix: string,
): ResolvedDashboardOptions | null {
  if (given === undefined) return null;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new Error(
      'Invalid CampaignModule options: dashboard must be an object (`{}` for the defaults)',
    );
  }
  const problems = Object.keys(given)
    .filter((key) => !Object.hasOwn(KNOWN, key))
    .map((key) => `Unknown CampaignModule option "dashboard.${key}"`);
  if (problems.length) throw new Error(problems.join('; '));
  const path =
    given.path === undefined
      ? DASHBOARD_DEFAULTS.path
      : typeof given.path === 'string'
        ? normalizeRoutePrefix(given.path)
        : '';
  const apiPrefix = normalizeRoutePrefix(routePrefix);
  const refreshIntervalMs =
    given.refreshIntervalMs ?? DASHBOARD_DEFAULTS.refreshIntervalMs;
  if (!PATH.test(path) || path.split('/').some((s) => /^\.+$/.test(s))) {
    problems.push(
      'dashboard.path must be a path of letters, digits, "-", "_", ".", "~" and "/"',
    );
  } else if (path === apiPrefix || path.startsWith(`${apiPrefix}/`)) {
    problems.push(
      `dashboard.path must not be under routePrefix "${apiPrefix}" (its routes would take the page's)`,
    );
  }
  if (
    !Number.isInteger(refreshIntervalMs) ||
    refreshIntervalMs < MIN_REFRESH_MS ||
    refreshIntervalMs > MAX_REFRESH_MS
  ) {
    problems.push(
      `dashboard.refreshIntervalMs must be an integer from ${MIN_REFRESH_MS} to ${MAX_REFRESH_MS}`,
    );
  }
  if (problems.length) {
    throw new Error(`Invalid CampaignModule options: ${problems.join('; ')}`);
  }
  return { path, refreshIntervalMs, apiPrefix };
}

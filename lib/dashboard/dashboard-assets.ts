import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedDashboardOptions } from './dashboard-options';

/** One file the dashboard serves. */
export interface DashboardAsset {
  body: string;
  contentType: string;
}

/** Plain files shipped beside this one (copied to dist by the build). */
export const DASHBOARD_ASSET_DIR = join(__dirname, 'assets');

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&#39;',
};
const escapeAttribute = (value: string): string =>
  value.replace(/[&"<>']/g, (c) => ATTRIBUTE_ESCAPES[c]);

function read(file: string): string {
  const path = join(DASHBOARD_ASSET_DIR, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    // A build that skipped `scripts/copy-assets.mjs`, or a bundler that left them out.
    throw new Error(
      `CampaignModule dashboard: cannot read ${path} (${(error as Error).message})`,
      { cause: error },
    );
  }
}

const fingerprint = (body: string): string =>
  createHash('sha256').update(body).digest('hex').slice(0, 12);

/**
 * The page and its script and stylesheet, read once at boot. The assets are
 * served under names carrying their hash, so they can be cached for good.
 */
export class DashboardAssets {
  readonly page: string;
  /** Last segment of the page's path. */
  readonly pageName: string;
  private readonly files = new Map<string, DashboardAsset>();

  constructor(options: ResolvedDashboardOptions) {
    const script = read('dashboard.js');
    const style = read('dashboard.css');
    const scriptName = `dashboard.${fingerprint(script)}.js`;
    const styleName = `dashboard.${fingerprint(style)}.css`;
    this.files.set(scriptName, {
      body: script,
      contentType: 'text/javascript; charset=utf-8',
    });
    this.files.set(styleName, {
      body: style,
      contentType: 'text/css; charset=utf-8',
    });
    // Relative to the page's URL (no trailing slash), so a host's global
    // prefix is kept: `<last segment>/assets/...`.
    this.pageName = options.path.split('/').pop() ?? options.path;
    const base = `${this.pageName}/assets`;
    const values: Record<string, string> = {
      script: `${base}/${scriptName}`,
      style: `${base}/${styleName}`,
      path: options.path,
      api: options.apiPrefix,
      refresh: String(options.refreshIntervalMs),
    };
    this.page = read('dashboard.html').replace(
      /\{\{(\w+)\}\}/g,
      (_, key: string) => {
        if (!Object.hasOwn(values, key)) {
          throw new Error(`dashboard.html names an unknown value {{${key}}}`);
        }
        return escapeAttribute(values[key]);
      },
    );
  }

  /** The asset of that name, or undefined. */
  asset(name: string): DashboardAsset | undefined {
    return this.files.get(name);
  }
}

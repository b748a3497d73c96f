import {
  Get,
  Inject,
  NotFoundException,
  Param,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { CampaignExceptionFilter } from '../http/campaign-exception.filter';
import {
  nodeRequestOf,
  type CampaignRequest,
} from '../http/campaign-request.interface';
import type { DashboardAssets } from './dashboard-assets';
import { CAMPAIGN_DASHBOARD_ASSETS } from './dashboard.constants';

/**
 * The page reads nothing but this origin's API with the Bearer token typed
 * into it: no inline script or style, nothing from elsewhere.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The live dashboard: one HTML page and its two assets. The page holds no
 * data; everything it shows comes from the JSON API, under the API's own
 * authentication and account scoping. Not decorated with `@Controller`:
 * mounted at `dashboard.path`.
 */
@ApiExcludeController()
@UseFilters(CampaignExceptionFilter)
export class DashboardController {
  constructor(
    @Inject(CAMPAIGN_DASHBOARD_ASSETS) private readonly assets: DashboardAssets,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get()
  page(@Req() request: CampaignRequest, @Res() response: unknown): void {
    const path = (nodeRequestOf(request).url ?? '').split('?')[0];
    if (path.endsWith('/')) {
      // The page's relative asset URLs need the path without a trailing slash.
      this.send(response, 302, '', 'text/plain; charset=utf-8', {
        Location: `../${this.assets.pageName}`,
        'Cache-Control': 'no-store',
      });
      return;
    }
    this.send(response, 200, this.assets.page, 'text/html; charset=utf-8', {
      'Cache-Control': 'no-cache',
    });
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: unknown): void {
    const asset = this.assets.asset(file);
    if (!asset) throw new NotFoundException('No such dashboard file');
    this.send(response, 200, asset.body, asset.contentType, {
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  }

  private send(
    response: unknown,
    status: number,
    body: string,
    contentType: string,
    headers: Record<string, string>,
  ): void {
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries({
      ...SECURITY_HEADERS,
      ...headers,
      'Content-Type': contentType,
    })) {
      adapter.setHeader(response, name, value);
    }
    adapter.reply(response, body, status);
  }
}

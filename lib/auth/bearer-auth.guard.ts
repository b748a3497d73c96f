import {
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { CampaignRequest } from '../http/campaign-request.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { ApiTokenService } from './api-token.service';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** 401 with `WWW-Authenticate: Bearer` unless the Bearer token names an account. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    private readonly tokens: ApiTokenService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<CampaignRequest>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    const account = match
      ? await (this.options.authenticate
          ? this.options.authenticate(match[1])
          : this.tokens.authenticate(match[1]))
      : null;
    if (!account) {
      const challenge = match ? 'Bearer error="invalid_token"' : 'Bearer';
      this.adapterHost.httpAdapter.setHeader(
        http.getResponse<unknown>(),
        'WWW-Authenticate',
        challenge,
      );
      throw new UnauthorizedException(
        match ? 'Invalid or revoked token' : 'Missing Bearer token',
      );
    }
    request.campaignAccount = account;
    return true;
  }
}

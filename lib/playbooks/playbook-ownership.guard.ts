import {
  ForbiddenException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { CampaignRequest } from '../http/campaign-request.interface';
import { CampaignImport } from '../imports/campaign-import';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { PlaybookService } from './playbook.service';

/**
 * 403 when `playbook_id` is not a playbook of the caller's account; one body
 * for unknown and foreign playbooks. A missing or malformed id is left to
 * validation (400).
 */
@Injectable()
export class PlaybookOwnershipGuard implements CanActivate {
  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    private readonly playbooks: PlaybookService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CampaignRequest>();
    // A streamed body: its campaign fields (CSV: from the query).
    const body: unknown =
      request.body instanceof CampaignImport
        ? request.body.fields
        : request.body;
    const playbookId =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>).playbook_id
        : undefined;
    const account = request.campaignAccount;
    if (!account || typeof playbookId !== 'string' || !isUUID(playbookId)) {
      return true;
    }
    const playbook = await (this.options.findPlaybook
      ? this.options.findPlaybook(account, playbookId)
      : this.playbooks.findOwned(account, playbookId));
    if (!playbook) {
      throw new ForbiddenException(
        'playbook_id: playbook not found or not owned by your account',
      );
    }
    request.campaignPlaybook = playbook;
    return true;
  }
}

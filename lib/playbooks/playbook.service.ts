import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { PlaybookEntity } from '../entities/playbook.entity';
import type {
  CampaignAccount,
  CampaignPlaybookRef,
} from '../options/campaign-module-options.interface';
import { runTransaction } from '../database/run-transaction';
import type { PlaybookProviderConfig } from '../providers/provider.interface';
import { validatePlaybookProvider } from '../providers/playbook-provider.validator';

export interface RegisterPlaybookInput {
  accountId: string;
  name: string;
  /** Keep a known id (e.g. the host's own assistant id); random when absent. */
  id?: string;
  /** Which provider runs it: assistant and caller numbers (checked here). */
  provider?: PlaybookProviderConfig | null;
}

/** The built-in playbook store. */
@Injectable()
export class PlaybookService {
  private readonly playbooks: Repository<PlaybookEntity>;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.playbooks = dataSource.getRepository(PlaybookEntity);
  }

  /** Registers a playbook; registering an existing id of the same account renames it. */
  async register(input: RegisterPlaybookInput): Promise<PlaybookEntity> {
    const id = (input.id ?? randomUUID()).toLowerCase();
    const providerConfig = input.provider
      ? validatePlaybookProvider(input.provider)
      : null;
    return runTransaction(this.dataSource, async (m) => {
      const playbooks = m.getRepository(PlaybookEntity);
      const existing = await playbooks.findOneBy({ id });
      if (existing && existing.accountId !== input.accountId) {
        throw new Error(`Playbook ${id} belongs to another account`);
      }
      if (existing) {
        // TypeORM's deep-partial type does not take a JSON column's Record.
        await playbooks.update({ id }, {
          name: input.name,
          providerConfig,
        } as QueryDeepPartialEntity<PlaybookEntity>);
      } else {
        await playbooks.insert({
          id,
          accountId: input.accountId,
          name: input.name,
          providerConfig,
        } as QueryDeepPartialEntity<PlaybookEntity>);
      }
      return playbooks.findOneByOrFail({ id });
    });
  }

  list(accountId: string): Promise<PlaybookEntity[]> {
    return this.playbooks.find({
      where: { accountId },
      order: { createdAt: 'ASC' },
    });
  }

  async findOwned(
    account: CampaignAccount,
    playbookId: string,
  ): Promise<CampaignPlaybookRef | null> {
    const row = await this.playbooks.findOneBy({
      id: playbookId.toLowerCase(),
      accountId: account.id,
    });
    return row
      ? { id: row.id, name: row.name, provider: row.providerConfig }
      : null;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { insertRows } from '../database/multi-row-insert';
import { sqlDialectOf, type SqlDialect } from '../database/sql-dialect';
import type {
  CampaignAccount,
  ResolvedCampaignOptions,
} from '../options/campaign-module-options.interface';
import type { CreatedCampaign } from './campaign-response.interface';
import {
  CALL_INSERT_COLUMNS,
  CAMPAIGN_INSERT_COLUMNS,
  CONTACT_INSERT_COLUMNS,
  contactUpsertSuffix,
} from './campaign-sql';
import { mergeDuplicateContacts } from './merge-duplicate-contacts';
import {
  CONTACT_TEXT_FIELDS,
  type NewCampaign,
  type NewContact,
} from './new-campaign.interface';

/** Writes a validated campaign, its contacts and its calls in one transaction. */
@Injectable()
export class CampaignCreationService {
  private readonly dialect: SqlDialect;
  private readonly upsertSuffix: string;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {
    this.dialect = sqlDialectOf(dataSource);
    this.upsertSuffix = contactUpsertSuffix(this.dialect);
  }

  async create(
    account: CampaignAccount,
    request: NewCampaign,
  ): Promise<CreatedCampaign> {
    const contacts = mergeDuplicateContacts(request.contacts);
    const campaignId = randomUUID();
    const status = request.launchAt ? 'scheduled' : 'running';
    const recall = JSON.stringify(request.recall);
    const now = new Date();
    await this.dataSource.transaction(async (manager) => {
      const dueAt = this.dialect.date(request.launchAt ?? now);
      const contactIds = await this.upsertContacts(manager, account, contacts);
      await insertRows(
        manager,
        this.dialect,
        { table: 'campaigns', columns: CAMPAIGN_INSERT_COLUMNS },
        [
          [
            campaignId,
            account.id,
            request.playbookId,
            status,
            request.launchAt && this.dialect.date(request.launchAt),
            recall,
            contacts.length,
            contacts.length,
            request.contacts.length - contacts.length,
            this.dialect.date(now),
            request.launchAt ? null : this.dialect.date(now),
          ],
        ],
        1,
      );
      await insertRows(
        manager,
        this.dialect,
        { table: 'campaign_calls', columns: CALL_INSERT_COLUMNS },
        contacts.map((contact) => [
          randomUUID(),
          campaignId,
          account.id,
          contactIds.get(contact.phone),
          'queued',
          dueAt,
          recall,
        ]),
        this.options.insertChunkSize,
      );
    });
    return {
      campaign_id: campaignId,
      status,
      launch_at: request.launchAt?.toISOString() ?? null,
      contacts: contacts.length,
      calls: contacts.length,
      duplicates: request.contacts.length - contacts.length,
      recall: request.recall,
    };
  }

  /** Upserts contacts and returns the id of each phone. */
  private async upsertContacts(
    manager: EntityManager,
    account: CampaignAccount,
    contacts: NewContact[],
  ): Promise<Map<string, string>> {
    const rows = contacts.map((contact) => [
      randomUUID(),
      account.id,
      contact.phone,
      ...CONTACT_TEXT_FIELDS.map((field) => contact.fields[field] ?? null),
      contact.customFields ? JSON.stringify(contact.customFields) : null,
    ]);
    const returned = await insertRows<{ id: string; phone: string }>(
      manager,
      this.dialect,
      {
        table: 'campaign_contacts',
        columns: CONTACT_INSERT_COLUMNS,
        suffix: this.upsertSuffix,
      },
      rows,
      this.options.insertChunkSize,
    );
    return new Map(returned.map((row) => [row.phone, row.id]));
  }
}

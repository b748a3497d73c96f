import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
} from 'typeorm';
import type { PlaybookProviderConfig } from '../providers/provider.interface';

/** The assistant that runs the calls of a campaign. */
@Entity('campaign_playbooks')
export class PlaybookEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Index('idx_campaign_playbooks_account')
  @Column({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** Which provider runs it, with the assistant and caller numbers. */
  @Column({ name: 'provider_config', type: 'json', nullable: true })
  providerConfig!: PlaybookProviderConfig | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}

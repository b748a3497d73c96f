import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

export type CustomFieldValue = string | number | boolean | null;
export type CustomFields = Record<string, CustomFieldValue>;

/** A person to call, unique per account and E.164 phone number. */
@Entity('campaign_contacts')
@Unique('uq_campaign_contacts_account_phone', ['accountId', 'phone'])
export class ContactEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  /** E.164, e.g. +34612345678. */
  @Column({ type: 'varchar', length: 16 })
  phone!: string;

  @Column({ name: 'first_name', type: 'varchar', nullable: true })
  firstName!: string | null;

  @Column({ name: 'last_name', type: 'varchar', nullable: true })
  lastName!: string | null;

  @Column({ type: 'varchar', nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', nullable: true })
  company!: string | null;

  @Column({ name: 'job_title', type: 'varchar', nullable: true })
  jobTitle!: string | null;

  @Column({ type: 'varchar', nullable: true })
  address!: string | null;

  @Column({ type: 'varchar', nullable: true })
  city!: string | null;

  @Column({ type: 'varchar', nullable: true })
  state!: string | null;

  @Column({ type: 'varchar', nullable: true })
  country!: string | null;

  @Column({ name: 'postal_code', type: 'varchar', nullable: true })
  postalCode!: string | null;

  @Column({ type: 'varchar', nullable: true })
  timezone!: string | null;

  @Column({ name: 'utm_source', type: 'varchar', nullable: true })
  utmSource!: string | null;

  @Column({ name: 'utm_medium', type: 'varchar', nullable: true })
  utmMedium!: string | null;

  @Column({ name: 'utm_campaign', type: 'varchar', nullable: true })
  utmCampaign!: string | null;

  @Column({ name: 'utm_term', type: 'varchar', nullable: true })
  utmTerm!: string | null;

  @Column({ name: 'utm_content', type: 'varchar', nullable: true })
  utmContent!: string | null;

  /** jsonb on PostgreSQL (merged with `||`), JSON text on SQLite. */
  @Column({ name: 'custom_fields', type: 'json', nullable: true })
  customFields!: CustomFields | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}

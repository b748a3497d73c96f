import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import {
  isContactTextField,
  type CamelCase,
  type ContactTextField,
} from '../contacts/contact-fields';

export type CustomFieldValue = string | number | boolean | null;
export type CustomFields = Record<string, CustomFieldValue>;

/**
 * The nullable varchar column of a contact field, named as the field: the
 * property `postalCode` is the field and column `postal_code`.
 */
function ContactFieldColumn(): PropertyDecorator {
  return (target, property) => {
    const name = String(property).replace(
      /[A-Z]/g,
      (c) => `_${c.toLowerCase()}`,
    );
    if (!isContactTextField(name)) {
      throw new Error(`${String(property)} is not a contact field`);
    }
    Column({ name, type: 'varchar', nullable: true })(target, property);
  };
}

/** A person to call, unique per account and E.164 phone number. */
@Entity('campaign_contacts')
@Unique('uq_campaign_contacts_account_phone', ['accountId', 'phone'])
export class ContactEntity implements Record<
  CamelCase<ContactTextField>,
  string | null
> {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 255 })
  accountId!: string;

  /** E.164, e.g. +34612345678. */
  @Column({ type: 'varchar', length: 16 })
  phone!: string;

  @ContactFieldColumn()
  firstName!: string | null;

  @ContactFieldColumn()
  lastName!: string | null;

  @ContactFieldColumn()
  email!: string | null;

  @ContactFieldColumn()
  company!: string | null;

  @ContactFieldColumn()
  jobTitle!: string | null;

  @ContactFieldColumn()
  address!: string | null;

  @ContactFieldColumn()
  city!: string | null;

  @ContactFieldColumn()
  state!: string | null;

  @ContactFieldColumn()
  country!: string | null;

  @ContactFieldColumn()
  postalCode!: string | null;

  @ContactFieldColumn()
  timezone!: string | null;

  @ContactFieldColumn()
  utmSource!: string | null;

  @ContactFieldColumn()
  utmMedium!: string | null;

  @ContactFieldColumn()
  utmCampaign!: string | null;

  @ContactFieldColumn()
  utmTerm!: string | null;

  @ContactFieldColumn()
  utmContent!: string | null;

  /** jsonb on PostgreSQL (merged with `||`), JSON text on SQLite. */
  @Column({ name: 'custom_fields', type: 'json', nullable: true })
  customFields!: CustomFields | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}

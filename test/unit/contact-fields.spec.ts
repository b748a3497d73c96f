import { getMetadataStorage } from 'class-validator';
import { getMetadataArgsStorage } from 'typeorm';
import {
  CampaignContactDto,
  ContactEntity,
  CreateCampaignDto,
} from '../../lib';
import {
  CONTACT_FIELDS,
  CONTACT_TEXT_FIELDS,
} from '../../lib/contacts/contact-fields';
import {
  CONTACT_TABLE_COLUMNS,
  SEED_CONTACT_FIELDS,
} from '../support/seed-contact-fields';
import {
  CAMPAIGN_BODY_FIELDS,
  CONTACT_BODY_FIELDS,
} from '../../lib/validation/create-campaign.rules';

/** Where @nestjs/swagger lists a class's documented properties. */
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';

/** Properties with class-validator rules. */
const validated = (dto: new () => object): string[] => [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(dto, '', false, false)
      .map((m) => m.propertyName),
  ),
];

/** Properties documented with @ApiProperty. */
const documented = (dto: new () => object): string[] =>
  (
    (Reflect.getMetadata(API_MODEL_PROPERTIES_ARRAY, dto.prototype) ??
      []) as string[]
  ).map((key) => key.replace(/^:/, ''));

describe('the contact field list', () => {
  it('is the optional fields of seed 3.3 besides custom_fields, in order', () => {
    expect([...CONTACT_TEXT_FIELDS, 'custom_fields']).toEqual(
      SEED_CONTACT_FIELDS,
    );
    for (const rule of Object.values(CONTACT_FIELDS)) {
      expect(rule.maxLength).toBeGreaterThan(0);
      expect(rule.description).toBeTruthy();
      expect(rule.example.length).toBeLessThanOrEqual(rule.maxLength);
    }
  });

  it('is what the contact DTO declares, validates and documents', () => {
    expect(CONTACT_BODY_FIELDS).toEqual([
      'phone',
      ...CONTACT_TEXT_FIELDS,
      'custom_fields',
    ]);
    expect(validated(CampaignContactDto)).toEqual([...CONTACT_BODY_FIELDS]);
    expect(documented(CampaignContactDto)).toEqual([...CONTACT_BODY_FIELDS]);
  });

  it('is what the entity maps: a nullable varchar column per field', () => {
    const columns = getMetadataArgsStorage().columns.filter(
      (c) => c.target === ContactEntity,
    );
    const names = columns.map((c) => c.options.name ?? c.propertyName);
    expect(names).toEqual(CONTACT_TABLE_COLUMNS);
    for (const field of CONTACT_TEXT_FIELDS) {
      const column = columns.find((c) => c.options.name === field);
      expect({ field, ...column?.options }).toEqual({
        field,
        name: field,
        type: 'varchar',
        nullable: true,
      });
    }
  });
});

describe('the campaign body fields', () => {
  it('are what the create DTO declares, validates and documents', () => {
    expect(validated(CreateCampaignDto)).toEqual([...CAMPAIGN_BODY_FIELDS]);
    expect(documented(CreateCampaignDto)).toEqual([...CAMPAIGN_BODY_FIELDS]);
  });
});

import { ApiTokenEntity } from './api-token.entity';
import { CallAttemptEntity } from './call-attempt.entity';
import { CallEntity } from './call.entity';
import { CampaignEntity } from './campaign.entity';
import { ContactEntity } from './contact.entity';
import { DoNotCallEntity } from './do-not-call.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { PlaybookEntity } from './playbook.entity';

export * from './api-token.entity';
export * from './call-attempt.entity';
export * from './call.entity';
export * from './campaign-status';
export * from './campaign.entity';
export * from './contact.entity';
export * from './do-not-call.entity';
export * from './idempotency-key.entity';
export * from './playbook.entity';

/** Every entity of the module, for the host's TypeORM `entities` list. */
export const CAMPAIGN_ENTITIES = [
  ApiTokenEntity,
  PlaybookEntity,
  ContactEntity,
  CampaignEntity,
  CallEntity,
  CallAttemptEntity,
  DoNotCallEntity,
  IdempotencyKeyEntity,
];

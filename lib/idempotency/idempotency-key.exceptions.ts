import { InvalidCampaignRequestException } from '../validation/field-problem';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key.constants';

const KEY_RULE = 'must be 1 to 255 printable ASCII characters';

/** A 400 naming the `Idempotency-Key` header. */
export class InvalidIdempotencyKeyException extends InvalidCampaignRequestException {
  constructor(message = KEY_RULE) {
    super([{ field: IDEMPOTENCY_KEY_HEADER, message }]);
  }
}

/** A 409: the key was already used, within its 24 h, for a different request. */
export class IdempotencyKeyConflictException extends InvalidCampaignRequestException {
  constructor() {
    super(
      [
        {
          field: IDEMPOTENCY_KEY_HEADER,
          message:
            'was already used for a different request in the last 24 hours; send a new key for a new campaign',
        },
      ],
      409,
    );
  }
}

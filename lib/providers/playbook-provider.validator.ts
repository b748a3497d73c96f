import { isUUID } from 'class-validator';
import type {
  PlaybookProviderConfig,
  VoiceProvider,
} from './provider.interface';

export const VOICE_PROVIDERS: readonly VoiceProvider[] = [
  'twilio',
  'vapi',
  'retell',
];

const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_CALLER_NUMBERS = 1_000;

/** A playbook registered with a provider side that cannot work. */
export class InvalidPlaybookProviderError extends Error {
  override readonly name = 'InvalidPlaybookProviderError';
}

/**
 * Checks a playbook's provider side at registration (and a host playbook's
 * when its campaign is created): a known provider, an assistant id, and
 * caller numbers the provider takes (E.164 for Twilio and Retell, Vapi's
 * phone-number ids for Vapi). Returns a clean copy.
 */
export function validatePlaybookProvider(
  value: unknown,
): PlaybookProviderConfig {
  const fail = (message: string): never => {
    throw new InvalidPlaybookProviderError(`provider: ${message}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('must be an object { provider, assistantId, callerNumbers }');
  }
  const config = value as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (
      !['provider', 'assistantId', 'callerNumbers', 'settings'].includes(key)
    ) {
      fail(`${key} is not a known field`);
    }
  }
  const provider = config.provider as VoiceProvider;
  if (!VOICE_PROVIDERS.includes(provider)) {
    fail(`provider must be one of ${VOICE_PROVIDERS.join(', ')}`);
  }
  const { assistantId, callerNumbers, settings } = config;
  if (
    typeof assistantId !== 'string' ||
    !assistantId.trim() ||
    assistantId.length > 255
  ) {
    fail('assistantId must be a non-empty string of at most 255 characters');
  }
  if (
    !Array.isArray(callerNumbers) ||
    callerNumbers.length === 0 ||
    callerNumbers.length > MAX_CALLER_NUMBERS
  ) {
    fail(`callerNumbers must be 1 to ${MAX_CALLER_NUMBERS} caller numbers`);
  }
  const numbers = callerNumbers as unknown[];
  const valid =
    provider === 'vapi'
      ? (n: unknown) => typeof n === 'string' && isUUID(n)
      : (n: unknown) => typeof n === 'string' && E164.test(n);
  numbers.forEach((n, i) => {
    if (!valid(n)) {
      fail(
        `callerNumbers.${i} must be ${provider === 'vapi' ? 'a Vapi phone-number id (uuid)' : 'an E.164 number'}`,
      );
    }
  });
  if (
    settings !== undefined &&
    (typeof settings !== 'object' ||
      settings === null ||
      Array.isArray(settings))
  ) {
    fail('settings must be an object');
  }
  return {
    provider,
    assistantId: (assistantId as string).trim(),
    callerNumbers: [...new Set(numbers as string[])],
    ...(settings ? { settings: settings as Record<string, unknown> } : {}),
  };
}

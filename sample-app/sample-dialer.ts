import {
  SimulatedDialer,
  type CampaignDialer,
  type PlaybookProviderConfig,
} from '../lib';
import { RetellDialer } from '../lib/providers/retell';
import { TwilioDialer } from '../lib/providers/twilio';
import { VapiDialer } from '../lib/providers/vapi';

/** The dialer the sample-app runs with, and the provider side of its demo playbook. */
export interface SampleDialer {
  name: string;
  dialer: CampaignDialer;
  provider: PlaybookProviderConfig | null;
}

/** The variables a provider needs, or a clear error naming the missing ones. */
function required(env: NodeJS.ProcessEnv, names: string[]): string[] {
  const missing = names.filter((name) => !env[name]?.trim());
  if (missing.length) {
    throw new Error(
      `DIALER=${env.DIALER} needs ${missing.join(', ')} in the environment (see the README, "Voice providers")`,
    );
  }
  return names.map((name) => env[name]!.trim());
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * `DIALER=twilio|vapi|retell` with the provider's credentials places real
 * calls; unset, a simulated provider (a few seconds per call, mixed outcomes).
 */
export function sampleDialer(
  env: NodeJS.ProcessEnv = process.env,
): SampleDialer {
  switch (env.DIALER ?? 'simulated') {
    case 'simulated':
      return {
        name: 'simulated',
        dialer: new SimulatedDialer({
          latencyMs: [2_000, 4_000],
          outcomes: { answered: 60, no_answer: 25, busy: 15 },
        }),
        provider: null,
      };
    case 'twilio': {
      const [accountSid, authToken, publicUrl, assistantId, numbers] = required(
        env,
        [
          'TWILIO_ACCOUNT_SID',
          'TWILIO_AUTH_TOKEN',
          'PUBLIC_URL',
          'TWILIO_APP',
          'CALLER_NUMBERS',
        ],
      );
      return {
        name: 'twilio',
        dialer: new TwilioDialer({
          accountSid,
          authToken,
          webhookBaseUrl: `${publicUrl.replace(/\/+$/, '')}/campaign/webhooks/twilio`,
        }),
        provider: {
          provider: 'twilio',
          assistantId,
          callerNumbers: list(numbers),
        },
      };
    }
    case 'vapi': {
      const [apiKey, secretKey, assistantId, numbers] = required(env, [
        'VAPI_API_KEY',
        'VAPI_WEBHOOK_SECRET',
        'VAPI_ASSISTANT_ID',
        'VAPI_PHONE_NUMBER_IDS',
      ]);
      return {
        name: 'vapi',
        dialer: new VapiDialer({
          apiKey,
          serverAuth: { type: 'hmac', secretKey },
        }),
        provider: {
          provider: 'vapi',
          assistantId,
          callerNumbers: list(numbers),
        },
      };
    }
    case 'retell': {
      const [apiKey, assistantId, numbers] = required(env, [
        'RETELL_API_KEY',
        'RETELL_AGENT_ID',
        'CALLER_NUMBERS',
      ]);
      return {
        name: 'retell',
        dialer: new RetellDialer({ apiKey }),
        provider: {
          provider: 'retell',
          assistantId,
          callerNumbers: list(numbers),
        },
      };
    }
    default:
      throw new Error(
        `DIALER must be simulated, twilio, vapi or retell (got "${env.DIALER}")`,
      );
  }
}

import type { CampaignModuleOptions } from '../lib';

type SampleLimits = Pick<
  CampaignModuleOptions,
  'maxContactsPerCampaign' | 'maxBodyBytes'
>;

/**
 * `POST /campaign`'s limits from the environment (`MAX_CONTACTS_PER_CAMPAIGN`,
 * `MAX_BODY_BYTES`); unset means the module's default. A value that is not
 * a positive whole number fails the start, naming the variable.
 */
export function sampleLimits(
  env: NodeJS.ProcessEnv = process.env,
): SampleLimits {
  return {
    maxContactsPerCampaign: positiveInteger(env, 'MAX_CONTACTS_PER_CAMPAIGN'),
    maxBodyBytes: positiveInteger(env, 'MAX_BODY_BYTES'),
  };
}

function positiveInteger(
  env: NodeJS.ProcessEnv,
  name: string,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^[1-9]\d{0,14}$/.test(raw)) {
    throw new Error(`${name} must be a positive whole number, not "${raw}"`);
  }
  return Number(raw);
}

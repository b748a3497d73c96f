import { ValidateBy, type ValidationArguments } from 'class-validator';
import type { RecallLimits } from '../options/campaign-module-options.interface';
import { CAMPAIGN_OPTION_DEFAULTS } from '../options/resolve-campaign-options';
import { parseLaunchAt } from './launch-at.parser';
import type { ParseResult } from './parse-result';
import { parseRecall } from './recall.parser';

/** What the `launch_at` and `recall` rules depend on besides the value. */
export interface CreateCampaignContext {
  recall: Required<RecallLimits>;
  defaultTimezone: string;
  now: Date;
}

const CONTEXT = Symbol('createCampaignContext');

/**
 * Gives a body DTO the module's limits and the request's "now" for its
 * validators; a symbol key, so the whitelist never sees it. A DTO without
 * one (a host's own ValidationPipe) is checked with the module defaults.
 */
export function withCreateCampaignContext<T extends object>(
  dto: T,
  context: CreateCampaignContext,
): T {
  Object.defineProperty(dto, CONTEXT, { value: context });
  return dto;
}

function contextOf(object: object): CreateCampaignContext {
  const given = (object as { [CONTEXT]?: CreateCampaignContext })[CONTEXT];
  return (
    given ?? {
      recall: CAMPAIGN_OPTION_DEFAULTS.recall,
      defaultTimezone: CAMPAIGN_OPTION_DEFAULTS.defaultTimezone,
      now: new Date(),
    }
  );
}

/** A class-validator decorator whose message is the parser's. */
function parsedBy(
  name: string,
  parse: (
    value: unknown,
    context: CreateCampaignContext,
  ) => ParseResult<unknown>,
): PropertyDecorator {
  const check = (args: ValidationArguments) =>
    parse(args.value, contextOf(args.object));
  return ValidateBy({
    name,
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) =>
        args ? check(args).ok : false,
      defaultMessage: (args?: ValidationArguments) => {
        const result = args && check(args);
        return result && !result.ok ? result.error : '';
      },
    },
  });
}

/** `launch_at` by {@link parseLaunchAt}; absent or null is valid. */
export const IsLaunchAt = (): PropertyDecorator =>
  parsedBy('isLaunchAt', (value, c) =>
    parseLaunchAt(value, c.defaultTimezone, c.now),
  );

/** `recall` by {@link parseRecall} within the module's limits; absent or null is valid. */
export const IsRecall = (): PropertyDecorator =>
  parsedBy('isRecall', (value, c) => parseRecall(value, c.recall));

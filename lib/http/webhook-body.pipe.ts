import type { PipeTransform, Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { scanBody, unknownKeys } from '../validation/body-scan';
import {
  flattenValidationErrors,
  InvalidCampaignRequestException,
} from '../validation/field-problem';

/**
 * Checks a webhook-endpoint body against its DTO: a JSON object, no
 * hostile or unknown keys, every failing field named in one 400. Only the
 * DTO's keys reach class-transformer.
 */
export class WebhookBodyPipe<T extends object> implements PipeTransform<
  unknown,
  Promise<T>
> {
  private readonly fields: ReadonlySet<string>;

  constructor(
    private readonly dto: Type<T> & { FIELDS: readonly string[] },
    private readonly requireOne = false,
  ) {
    this.fields = new Set(dto.FIELDS);
  }

  async transform(body: unknown): Promise<T> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidCampaignRequestException([
        { field: 'body', message: 'must be a JSON object' },
      ]);
    }
    const hostile = scanBody(body);
    if (hostile.length) throw new InvalidCampaignRequestException(hostile);
    const given = body as Record<string, unknown>;
    const problems = unknownKeys(given, this.fields, '');
    const known = Object.fromEntries(
      this.dto.FIELDS.filter((f) => Object.hasOwn(given, f)).map((f) => [
        f,
        given[f],
      ]),
    );
    if (this.requireOne && !Object.keys(known).length && !problems.length) {
      problems.push({
        field: 'body',
        message: `must set at least one of: ${this.dto.FIELDS.join(', ')}`,
      });
    }
    const dto = plainToInstance(this.dto, known);
    problems.push(
      ...flattenValidationErrors(
        await validate(dto, {
          forbidUnknownValues: true,
          validationError: { target: false, value: false },
        }),
      ),
    );
    if (problems.length) throw new InvalidCampaignRequestException(problems);
    return dto;
  }
}

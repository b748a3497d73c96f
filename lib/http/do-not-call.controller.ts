import {
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Put,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentAccount } from '../auth/current-account.decorator';
import {
  DoNotCallService,
  type DoNotCallEntry,
  type DoNotCallPage,
} from '../do-not-call/do-not-call.service';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import {
  InvalidCampaignRequestException,
  type FieldProblem,
} from '../validation/field-problem';
import { CampaignExceptionFilter } from './campaign-exception.filter';

const E164_CURSOR = /^\+[1-9]\d{1,14}$/;

/** The account's do-not-call list, under `/<prefix>/do-not-call`. */
@ApiTags('do-not-call')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked token' })
@UseFilters(CampaignExceptionFilter)
@UseGuards(BearerAuthGuard)
export class DoNotCallController {
  constructor(private readonly doNotCall: DoNotCallService) {}

  @Get('do-not-call')
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'next_cursor of the previous page',
  })
  @ApiOkResponse({
    description: '{ data: [{ phone, reason, created_at }], next_cursor }',
  })
  @ApiBadRequestResponse({ description: 'Invalid limit or cursor' })
  list(
    @CurrentAccount() account: CampaignAccount,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<DoNotCallPage> {
    const size = limit === undefined ? 50 : Number(limit);
    const problems: FieldProblem[] = [];
    if (!Number.isInteger(size) || size < 1 || size > 200) {
      problems.push({
        field: 'limit',
        message: 'must be a whole number from 1 to 200',
      });
    }
    if (cursor !== undefined && !E164_CURSOR.test(cursor)) {
      problems.push({
        field: 'cursor',
        message: 'is not a cursor of this list',
      });
    }
    if (problems.length) throw new InvalidCampaignRequestException(problems);
    return this.doNotCall.list(account.id, size, cursor);
  }

  @Put('do-not-call/:phone')
  @ApiParam({
    name: 'phone',
    description:
      'E.164 (URL-encode the +: %2B34612345678), or national with the module defaultCountry',
  })
  @ApiOkResponse({
    description: 'The listed number: { phone, reason, created_at }',
  })
  @ApiBadRequestResponse({ description: 'Not a valid phone number' })
  add(
    @CurrentAccount() account: CampaignAccount,
    @Param('phone') phone: string,
  ): Promise<DoNotCallEntry> {
    return this.doNotCall.add(account.id, this.e164(phone));
  }

  @Delete('do-not-call/:phone')
  @HttpCode(204)
  @ApiParam({ name: 'phone', description: 'E.164 (URL-encoded)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'The number is not on the list' })
  async remove(
    @CurrentAccount() account: CampaignAccount,
    @Param('phone') phone: string,
  ): Promise<void> {
    if (!(await this.doNotCall.remove(account.id, this.e164(phone)))) {
      throw new NotFoundException('phone: not on the do-not-call list');
    }
  }

  private e164(phone: string): string {
    const result = this.doNotCall.normalize(phone);
    if (!result.ok) {
      throw new InvalidCampaignRequestException([
        { field: 'phone', message: result.error },
      ]);
    }
    return result.value;
  }
}

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
  ApiInternalServerErrorResponse,
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
import type { ListPageOptions } from '../campaigns/campaign-list.types';
import {
  DoNotCallService,
  type DoNotCallEntry,
  type DoNotCallPage,
} from '../do-not-call/do-not-call.service';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import { InvalidCampaignRequestException } from '../validation/field-problem';
import { DO_NOT_CALL_LIST_QUERY } from '../validation/list-queries';
import { CampaignExceptionFilter } from './campaign-exception.filter';
import { DoNotCallPageDto } from './dto/list-responses.dto';
import {
  LIST_CURSOR_QUERY,
  LIST_LIMIT_QUERY,
  ListQueryPipe,
} from './list-query.pipe';

/** The account's do-not-call list, under `/<prefix>/do-not-call`. */
@ApiTags('do-not-call')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked token' })
@UseFilters(CampaignExceptionFilter)
@UseGuards(BearerAuthGuard)
export class DoNotCallController {
  constructor(private readonly doNotCall: DoNotCallService) {}

  @Get('do-not-call')
  @ApiQuery(LIST_LIMIT_QUERY)
  @ApiQuery({
    ...LIST_CURSOR_QUERY,
    description:
      '`next_cursor` of the previous page: the last phone it listed, E.164 (URL-encode the +).',
  })
  @ApiOkResponse({
    type: DoNotCallPageDto,
    description: 'Your do-not-call list, in phone order',
  })
  @ApiBadRequestResponse({
    description: 'Invalid or unknown query parameter; each is named',
  })
  @ApiInternalServerErrorResponse({
    description: 'Unexpected error; body has a request_id',
  })
  list(
    @CurrentAccount() account: CampaignAccount,
    @Query(new ListQueryPipe(DO_NOT_CALL_LIST_QUERY))
    query: Required<Pick<ListPageOptions, 'limit'>> & ListPageOptions,
  ): Promise<DoNotCallPage> {
    return this.doNotCall.list(account.id, query.limit, query.cursor);
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

import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { ApiTokenEntity } from '../entities/api-token.entity';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import { hashToken } from './token-hash';
import { runTransaction } from '../database/run-transaction';

export interface ApiTokenInfo {
  id: string;
  accountId: string;
  name: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Returned once by {@link ApiTokenService.issue}: the only time the plain token is seen. */
export interface IssuedApiToken extends ApiTokenInfo {
  token: string;
}

export interface IssueApiTokenOptions {
  name?: string;
  /** Use this token value instead of a random one (at least 20 characters). */
  token?: string;
}

const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]{20,512}$/;

/** The built-in token store: tokens are kept only as SHA-256 hashes. */
@Injectable()
export class ApiTokenService {
  private readonly tokens: Repository<ApiTokenEntity>;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.tokens = dataSource.getRepository(ApiTokenEntity);
  }

  async issue(
    accountId: string,
    options: IssueApiTokenOptions = {},
  ): Promise<IssuedApiToken> {
    const token =
      options.token ?? `cc_${randomBytes(32).toString('base64url')}`;
    if (!TOKEN_PATTERN.test(token)) {
      throw new Error(
        'An API token must be 20 to 512 characters of A-Z a-z 0-9 - . _ ~ + /',
      );
    }
    const entity = this.tokens.create({
      id: randomUUID(),
      accountId,
      tokenHash: hashToken(token),
      name: options.name ?? null,
      revokedAt: null,
    });
    await runTransaction(this.dataSource, (m) =>
      m.getRepository(ApiTokenEntity).insert(entity),
    );
    const saved = await this.tokens.findOneByOrFail({ id: entity.id });
    return { ...toInfo(saved), token };
  }

  async list(accountId: string): Promise<ApiTokenInfo[]> {
    const rows = await this.tokens.find({
      where: { accountId },
      order: { createdAt: 'ASC' },
    });
    return rows.map(toInfo);
  }

  /** Revokes one of the account's tokens; false when there is no such live token. */
  async revoke(accountId: string, tokenId: string): Promise<boolean> {
    const result = await runTransaction(this.dataSource, (m) =>
      m
        .getRepository(ApiTokenEntity)
        .update(
          { id: tokenId, accountId, revokedAt: IsNull() },
          { revokedAt: new Date() },
        ),
    );
    return (result.affected ?? 0) > 0;
  }

  async authenticate(token: string): Promise<CampaignAccount | null> {
    const row = await this.tokens.findOneBy({
      tokenHash: hashToken(token),
      revokedAt: IsNull(),
    });
    return row ? { id: row.accountId } : null;
  }
}

function toInfo(row: ApiTokenEntity): ApiTokenInfo {
  return {
    id: row.id,
    accountId: row.accountId,
    name: row.name,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}

import { Injectable, Module } from '@nestjs/common';
import {
  CAMPAIGN_OPTIONS,
  CampaignModule,
  type CampaignAccount,
  type CampaignModuleOptions,
  type ResolvedCampaignOptions,
} from '../../lib';
import { TEST_DIALECTS } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

const HOST_PLAYBOOK = '11111111-2222-4333-8444-555555555555';

@Injectable()
class HostConfig {
  readonly country = 'FR' as const;
  options(): CampaignModuleOptions {
    return { defaultCountry: this.country, maxContactsPerCampaign: 2 };
  }
}

@Module({ providers: [HostConfig], exports: [HostConfig] })
class HostConfigModule {}

@Injectable()
class CampaignOptionsFactory {
  createCampaignOptions(): CampaignModuleOptions {
    return { defaultCountry: 'GB', maxContactsPerCampaign: 2 };
  }
}

@Module({
  providers: [CampaignOptionsFactory],
  exports: [CampaignOptionsFactory],
})
class FactoryModule {}

const bodyWith = (t: TestApp, phones: string[]) => ({
  playbook_id: t.playbookId,
  contacts: phones.map((phone) => ({ phone })),
});

describe.each(TEST_DIALECTS)('CampaignModule configuration (%s)', (dialect) => {
  const apps: TestApp[] = [];
  afterAll(() => Promise.all(apps.map((a) => a.close())));
  const start = async (config: Parameters<typeof createTestApp>[1]) => {
    const app = await createTestApp(dialect, config);
    apps.push(app);
    return app;
  };

  it('forRootAsync with useFactory and inject', async () => {
    const t = await start({
      campaignModule: CampaignModule.forRootAsync({
        imports: [HostConfigModule],
        inject: [HostConfig],
        useFactory: (config: HostConfig) => config.options(),
      }),
    });
    const options = t.app.get<ResolvedCampaignOptions>(CAMPAIGN_OPTIONS);
    expect(options).toMatchObject({
      defaultCountry: 'FR',
      maxContactsPerCampaign: 2,
      defaultTimezone: 'UTC',
      recall: { maxEntries: 10, maxMinutes: 43_200 },
    });
    await t.post(bodyWith(t, ['06 12 34 56 78'])).expect(202);
    const res = await t
      .post(bodyWith(t, ['+33612345671', '+33612345672', '+33612345673']))
      .expect(400);
    expect(res.body.message).toEqual([
      'contacts: must contain at most 2 contacts',
    ]);
  });

  it('forRootAsync with useClass', async () => {
    const t = await start({
      campaignModule: CampaignModule.forRootAsync({
        useClass: CampaignOptionsFactory,
      }),
    });
    expect(
      t.app.get<ResolvedCampaignOptions>(CAMPAIGN_OPTIONS).defaultCountry,
    ).toBe('GB');
    await t.post(bodyWith(t, ['020 7946 0958'])).expect(202);
  });

  it('forRootAsync with useExisting', async () => {
    const t = await start({
      campaignModule: CampaignModule.forRootAsync({
        imports: [FactoryModule],
        useExisting: CampaignOptionsFactory,
      }),
    });
    expect(
      t.app.get<ResolvedCampaignOptions>(CAMPAIGN_OPTIONS)
        .maxContactsPerCampaign,
    ).toBe(2);
    await t.post(bodyWith(t, ['020 7946 0958'])).expect(202);
  });

  it('a host authenticate and playbook lookup replace the built-in stores', async () => {
    const seen: string[] = [];
    const t = await start({
      options: {
        authenticate: (token: string): CampaignAccount | null => {
          seen.push(token);
          return token === 'host-token-0123456789abcdef'
            ? { id: 'host-account' }
            : null;
        },
        findPlaybook: async (account, playbookId) =>
          account.id === 'host-account' && playbookId === HOST_PLAYBOOK
            ? { id: playbookId }
            : null,
      },
    });
    const body = {
      playbook_id: HOST_PLAYBOOK,
      contacts: [{ phone: '+34612345678' }],
    };
    // The built-in token no longer counts.
    await t.post(body).expect(401);
    const res = await t
      .http()
      .post('/campaign')
      .set('Authorization', 'Bearer host-token-0123456789abcdef')
      .send(body)
      .expect(202);
    const [campaign] = await t.rows<{
      account_id: string;
      playbook_id: string;
    }>('campaigns');
    expect(campaign).toMatchObject({
      account_id: 'host-account',
      playbook_id: HOST_PLAYBOOK,
    });
    expect(res.body.calls).toBe(1);
    await t
      .http()
      .post('/campaign')
      .set('Authorization', 'Bearer host-token-0123456789abcdef')
      .send({ ...body, playbook_id: t.playbookId })
      .expect(403);
    expect(seen).toContain('host-token-0123456789abcdef');
  });

  it('a route prefix and a named data source', async () => {
    const t = await start({
      campaignModule: CampaignModule.forRoot({ routePrefix: 'v1/campaigns' }),
    });
    await t.http().post('/campaign').expect(404);
    const res = await t
      .http()
      .post('/v1/campaigns')
      .set('Authorization', `Bearer ${t.token}`)
      .send(bodyWith(t, ['+34612345678']))
      .expect(202);
    expect(res.headers.location).toBe(`/v1/campaigns/${res.body.campaign_id}`);
  });
});

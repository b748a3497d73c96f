import { Inject, Injectable } from '@nestjs/common';
import { ApiTokenService, PlaybookService } from '../lib';
import type { SampleDialer } from './sample-dialer';

/** The sample-app's dialer choice (see sample-dialer.ts). */
export const SAMPLE_DIALER = Symbol('SAMPLE_DIALER');

export const DEMO_ACCOUNT_ID = 'demo-account';

export interface DemoCredentials {
  token: string;
  playbookId: string;
}

/** Gives the demo account a token and a playbook to try the API with. */
@Injectable()
export class DemoSeedService {
  constructor(
    private readonly tokens: ApiTokenService,
    private readonly playbooks: PlaybookService,
    @Inject(SAMPLE_DIALER) private readonly sample: SampleDialer,
  ) {}

  async seed(env: NodeJS.ProcessEnv = process.env): Promise<DemoCredentials> {
    const playbookId =
      env.SAMPLE_PLAYBOOK_ID ??
      (await this.playbooks.list(DEMO_ACCOUNT_ID))[0]?.id;
    const playbook = await this.playbooks.register({
      accountId: DEMO_ACCOUNT_ID,
      name: 'Demo playbook',
      id: playbookId,
      provider: this.sample.provider,
    });
    const token = await this.demoToken(env.SAMPLE_API_TOKEN);
    return { token, playbookId: playbook.id };
  }

  private async demoToken(wanted: string | undefined): Promise<string> {
    if (wanted && (await this.tokens.authenticate(wanted))) return wanted;
    const issued = await this.tokens.issue(DEMO_ACCOUNT_ID, {
      name: 'sample-app demo',
      token: wanted,
    });
    return issued.token;
  }
}

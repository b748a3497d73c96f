import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { campaignBodyParser } from '../lib';
import { AppModule, SAMPLE_DASHBOARD_PATH } from './app.module';
import { DemoSeedService } from './demo-seed.service';
import {
  OPENAPI_DOCS_PATH,
  OPENAPI_JSON_PATH,
  setupCampaignOpenApiDocs,
} from './openapi';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule);
  app.disable('x-powered-by');
  // The module reads its own bodies (up to maxBodyBytes, after auth); the
  // host's parser keeps every other route.
  app.use(campaignBodyParser());
  app.enableShutdownHooks();
  // OpenAPI: the UI at /docs, the document at /docs-json (before listen).
  setupCampaignOpenApiDocs(app);
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const { token, playbookId } = await app.get(DemoSeedService).seed();
  const url = `http://localhost:${port}/campaign`;
  new Logger('SampleApp').log(
    [
      `listening on http://localhost:${port}`,
      `API docs:       http://localhost:${port}/${OPENAPI_DOCS_PATH} (OpenAPI JSON: http://localhost:${port}/${OPENAPI_JSON_PATH})`,
      `dashboard:      http://localhost:${port}/${SAMPLE_DASHBOARD_PATH} (sign in with the demo API token)`,
      `demo API token: ${token}`,
      `demo playbook:  ${playbookId}`,
      'try:',
      `curl -i -X POST ${url} -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${JSON.stringify(demoCampaign(playbookId))}'`,
      'numbers in Madrid, New York, Los Angeles, London, Sydney and Tokyo: at any hour some dial, the others wait for their lawful hours.',
      'watch it run (retries come 1 and 2 minutes after the first attempt):',
      `curl -s ${url}/<campaign_id> -H 'Authorization: Bearer ${token}'`,
      'and see why each waiting call waits (calling hours, holiday, rule, zone, until when):',
      `curl -s ${url}/<campaign_id>/calls -H 'Authorization: Bearer ${token}'`,
      'follow it from a CRM: signed webhooks of its events (https; WEBHOOKS_ALLOW_LOCAL=true for a receiver on this machine):',
      `curl -s -X POST ${url}/webhook-endpoints -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"url":"https://crm.example.com/hooks/calls","events":["call.finished","campaign.completed"]}'`,
    ].join('\n'),
  );
}

/** The printed demo: people in six zones, under Spain's, US federal and no built-in rules. */
function demoCampaign(playbookId: string) {
  return {
    playbook_id: playbookId,
    contacts: [
      { phone: '+34612345678', first_name: 'Ana' },
      { phone: '+12125550101', first_name: 'Nora' },
      { phone: '+13105550102', first_name: 'Leo' },
      { phone: '+442079460958', first_name: 'Olivia' },
      { phone: '+61212345678', first_name: 'Jack' },
      { phone: '+81312345678', first_name: 'Yuki' },
    ],
    recall: '[1,2]',
  };
}

void bootstrap();

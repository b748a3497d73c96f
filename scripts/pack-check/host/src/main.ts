import { NestFactory } from '@nestjs/core';
import {
  ApiTokenService,
  campaignBodyParser,
  PlaybookService,
} from 'nestjs-call-campaigns';
import { AppModule } from './app.module';

// A host app as a new user writes it (after sample-app/main.ts, but without
// platform types: the package's own typings are what is checked).
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.use(campaignBodyParser());
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');

  const accountId = 'pack-check';
  const { token } = await app
    .get(ApiTokenService)
    .issue(accountId, { name: 'pack-check' });
  const playbook = await app
    .get(PlaybookService)
    .register({ accountId, name: 'Pack check' });
  // The line scripts/pack-check/pack-check.mjs waits for.
  const ready = { url: await app.getUrl(), token, playbookId: playbook.id };
  console.log(`PACK_CHECK_READY ${JSON.stringify(ready)}`);
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

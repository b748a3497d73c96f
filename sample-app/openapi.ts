import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'nestjs-call-campaigns';

/** Where the sample-app serves the docs: the UI, and the document as JSON. */
export const OPENAPI_DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs-json';

/**
 * Name and version of this package, found by walking up from this file (it
 * runs from `sample-app/` under ts tooling and from `dist/sample-app/` built).
 */
export function packageInfo(from = __dirname): {
  name: string;
  version: string;
  description?: string;
} {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        version?: string;
        description?: string;
      };
      if (pkg.name === PACKAGE_NAME && pkg.version) {
        return {
          name: pkg.name,
          version: pkg.version,
          description: pkg.description,
        };
      }
    }
    if (dirname(dir) === dir) {
      throw new Error(`package.json of ${PACKAGE_NAME} not found`);
    }
  }
}

/**
 * The OpenAPI document of an app that imports the campaign module: its routes
 * with their DTOs and responses, and the Bearer scheme they require.
 */
export function buildCampaignOpenApiDocument(
  app: INestApplication,
): OpenAPIObject {
  const pkg = packageInfo();
  const config = new DocumentBuilder()
    .setTitle('Call campaigns API')
    .setDescription(
      `${pkg.description ?? ''}\n\nAuthenticate with \`Authorization: Bearer <token>\` (the sample-app prints a demo token at start-up).`.trim(),
    )
    .setVersion(pkg.version)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
      description:
        'An API token of your account (issued by ApiTokenService, or the host authenticate option).',
    })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the docs: the UI at `/docs`, the JSON document at `/docs-json`.
 * Call it before `app.init()` / `app.listen()`.
 */
export function setupCampaignOpenApiDocs(app: INestApplication): OpenAPIObject {
  const document = buildCampaignOpenApiDocument(app);
  SwaggerModule.setup(OPENAPI_DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    customSiteTitle: 'Call campaigns API',
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}

import type { INestApplication } from '@nestjs/common';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { CampaignModule, campaignBodyParser } from '../../lib';
import {
  buildCampaignOpenApiDocument,
  setupCampaignOpenApiDocs,
} from '../../sample-app/openapi';
import {
  createTestApp,
  dataSourceOptionsFor,
  type TestApp,
} from '../support/test-app';
import {
  createTestDatabase,
  type TestDatabase,
} from '../support/test-database';
import { SEED_CONTACT_FIELDS } from '../support/seed-contact-fields';

const PACKAGE_VERSION = (
  JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'),
  ) as { version: string }
).version;

const SEED_EXAMPLES = [
  'immediate_minimal',
  'immediate_with_contact_data_and_recall',
  'immediate_with_custom_fields',
  'scheduled',
] as const;

type Schema = SchemaObject | ReferenceObject;

const isRef = (s: unknown): s is ReferenceObject =>
  typeof s === 'object' && s !== null && '$ref' in s;

/** The schema itself, following one `$ref` into components. */
function resolve(doc: OpenAPIObject, schema: Schema | undefined): SchemaObject {
  if (!schema) throw new Error('no schema');
  if (!isRef(schema)) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const found = doc.components?.schemas?.[name];
  if (!found) throw new Error(`${schema.$ref} is not in components.schemas`);
  return resolve(doc, found);
}

function property(
  doc: OpenAPIObject,
  schema: SchemaObject,
  name: string,
): SchemaObject {
  const prop = schema.properties?.[name];
  if (!prop) throw new Error(`no property ${name}`);
  return resolve(doc, prop);
}

function operation(
  doc: OpenAPIObject,
  path: string,
  method: 'get' | 'post',
): OperationObject {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  return op;
}

function jsonResponse(
  doc: OpenAPIObject,
  op: OperationObject,
  status: number,
): { response: ResponseObject; schema: SchemaObject } {
  const response = op.responses[String(status)] as ResponseObject | undefined;
  if (!response) throw new Error(`no ${status} response`);
  const schema = resolve(doc, response.content?.['application/json']?.schema);
  return { response, schema };
}

function bodyOf(op: OperationObject): RequestBodyObject {
  return op.requestBody as RequestBodyObject;
}

/** A documented object: its properties, and all of them required. */
function expectClosedShape(schema: SchemaObject, keys: string[]): void {
  expect(Object.keys(schema.properties ?? {}).sort()).toEqual([...keys].sort());
  expect([...(schema.required ?? [])].sort()).toEqual([...keys].sort());
}

// The document and the answers it describes do not depend on the database:
// built once, on SQLite.
describe('OpenAPI document (sqlite)', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    doc = buildCampaignOpenApiDocument(t.app);
  });
  afterAll(() => t.close());

  it('has a title, the package version and the bearer scheme', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBe(PACKAGE_VERSION);
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  describe('POST /campaign', () => {
    let op: OperationObject;
    let body: SchemaObject;
    let contact: SchemaObject;
    beforeAll(() => {
      op = operation(doc, '/campaign', 'post');
      body = resolve(
        doc,
        bodyOf(op).content['application/json'].schema as Schema,
      );
      contact = resolve(doc, property(doc, body, 'contacts').items);
    });

    it('requires the bearer security', () => {
      expect(op.security).toContainEqual({ bearer: [] });
    });

    it('takes a required JSON body of playbook_id, contacts, launch_at and recall (and the extensions timezone and calling_window)', () => {
      expect(bodyOf(op).required).toBe(true);
      expect(Object.keys(body.properties ?? {}).sort()).toEqual(
        [
          'contacts',
          'launch_at',
          'playbook_id',
          'recall',
          'timezone',
          'calling_window',
        ].sort(),
      );
      expect([...(body.required ?? [])].sort()).toEqual([
        'contacts',
        'playbook_id',
      ]);
    });

    it('playbook_id: a required uuid string', () => {
      expect(property(doc, body, 'playbook_id')).toMatchObject({
        type: 'string',
        format: 'uuid',
      });
      expect(property(doc, body, 'playbook_id').description).toBeTruthy();
    });

    it('contacts: a required array of at least one contact with a required phone', () => {
      expect(property(doc, body, 'contacts')).toMatchObject({
        type: 'array',
        minItems: 1,
      });
      expect(contact.type).toBe('object');
      expect(contact.required).toEqual(['phone']);
      expect(property(doc, contact, 'phone')).toMatchObject({
        type: 'string',
      });
      expect(property(doc, contact, 'phone').description).toBeTruthy();
    });

    it.each(SEED_CONTACT_FIELDS)(
      'contacts[].%s: documented, optional, described',
      (field) => {
        const schema = property(doc, contact, field);
        expect(contact.required).not.toContain(field);
        expect(schema.type).toBe(
          field === 'custom_fields' ? 'object' : 'string',
        );
        expect(schema.description).toBeTruthy();
      },
    );

    it('contacts[] has no field beyond phone and seed 3.3', () => {
      expect(Object.keys(contact.properties ?? {}).sort()).toEqual(
        ['phone', ...SEED_CONTACT_FIELDS].sort(),
      );
      expect(property(doc, contact, 'email').format).toBe('email');
      expect(
        property(doc, contact, 'custom_fields').additionalProperties,
      ).toBeTruthy();
    });

    it('launch_at: an optional string, described', () => {
      const launchAt = property(doc, body, 'launch_at');
      expect(launchAt.type).toBe('string');
      expect(launchAt.description).toMatch(/ISO 8601/);
    });

    it('recall: an optional array of integer minutes or that array as a string', () => {
      const recall = property(doc, body, 'recall');
      expect(recall.description).toBeTruthy();
      const forms = (recall.oneOf ?? []).map((s) => resolve(doc, s));
      expect(forms).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            type: 'array',
            items: expect.objectContaining({ type: 'integer' }),
          }),
          expect.objectContaining({ type: 'string' }),
        ]),
      );
    });

    it('timezone and calling_window: optional extensions to the seed, described, with examples', () => {
      const timezone = property(doc, body, 'timezone');
      expect(timezone).toMatchObject({ type: 'string', maxLength: 64 });
      expect(timezone.example).toBe('Europe/Madrid');
      expect(timezone.description).toMatch(/Extension to the seed/);
      const window = property(doc, body, 'calling_window');
      expect(window.description).toMatch(/never widens/);
      expect(window.example).toEqual({
        start: '10:00',
        end: '18:00',
        days: [1, 2, 3, 4, 5],
      });
      const shape = resolve(doc, window.allOf?.[0] ?? window);
      expect(Object.keys(shape.properties ?? {}).sort()).toEqual([
        'days',
        'end',
        'start',
      ]);
      expect([...(shape.required ?? [])].sort()).toEqual([
        'days',
        'end',
        'start',
      ]);
      expect(property(doc, shape, 'days')).toMatchObject({
        type: 'array',
        items: expect.objectContaining({ type: 'integer' }),
      });
    });

    it('carries the seed examples 5.1 to 5.4 as named request examples', () => {
      const examples = bodyOf(op).content['application/json'].examples ?? {};
      expect(Object.keys(examples)).toEqual([...SEED_EXAMPLES]);
      const values = Object.fromEntries(
        Object.entries(examples).map(([name, e]) => [
          name,
          (e as { summary: string; value: Record<string, unknown> }).value,
        ]),
      );
      expect(values.immediate_minimal).toEqual({
        playbook_id: expect.any(String),
        contacts: [
          { phone: expect.any(String) },
          { phone: expect.any(String) },
        ],
      });
      const detailed = (
        values.immediate_with_contact_data_and_recall.contacts as object[]
      )[0];
      expect(Object.keys(detailed).sort()).toEqual(
        ['phone', ...SEED_CONTACT_FIELDS.filter((f) => f !== 'custom_fields')]
          .slice()
          .sort(),
      );
      expect(values.immediate_with_contact_data_and_recall.recall).toBe(
        '[30,120]',
      );
      expect(
        (values.immediate_with_custom_fields.contacts as object[])[0],
      ).toHaveProperty('custom_fields');
      expect(values.scheduled.launch_at).toEqual(expect.any(String));
      for (const name of SEED_EXAMPLES) {
        expect((examples[name] as { summary: string }).summary).toMatch(
          /^5\.[1-4] /,
        );
      }
    });

    it('documents the optional Idempotency-Key header', () => {
      const header = (op.parameters ?? []).find(
        (p) => (p as ParameterObject).name === 'Idempotency-Key',
      ) as ParameterObject | undefined;
      expect(header).toMatchObject({ in: 'header', required: false });
      expect(header?.description).toBeTruthy();
    });

    it('202: the created campaign, with a Location header and the seed 6.x examples', () => {
      const { response, schema } = jsonResponse(doc, op, 202);
      expectClosedShape(schema, [
        'campaign_id',
        'status',
        'launch_at',
        'contacts',
        'calls',
        'duplicates',
        'recall',
      ]);
      expect(property(doc, schema, 'campaign_id').format).toBe('uuid');
      expect(property(doc, schema, 'status').enum).toEqual([
        'running',
        'scheduled',
      ]);
      expect(property(doc, schema, 'launch_at').nullable).toBe(true);
      expect(property(doc, schema, 'recall')).toMatchObject({
        type: 'array',
        items: { type: 'integer' },
      });
      expect(response.headers?.Location).toBeDefined();
      expect(
        Object.keys(response.content?.['application/json']?.examples ?? {}),
      ).toEqual(['immediate', 'scheduled']);
    });

    it('400: every failing field, as message lines and { field, message } pairs, and how many contacts failed', () => {
      const { schema } = jsonResponse(doc, op, 400);
      const always = ['statusCode', 'error', 'message', 'errors'];
      expect(Object.keys(schema.properties ?? {}).sort()).toEqual(
        [...always, 'invalid_contacts'].sort(),
      );
      expect([...(schema.required ?? [])].sort()).toEqual([...always].sort());
      expect(property(doc, schema, 'invalid_contacts').type).toBe('integer');
      expect(property(doc, schema, 'message')).toMatchObject({
        type: 'array',
        items: { type: 'string' },
      });
      const errors = property(doc, schema, 'errors');
      expect(errors.type).toBe('array');
      expectClosedShape(resolve(doc, errors.items), ['field', 'message']);
    });

    it('takes JSON or CSV: the text/csv body is a string with an example, its campaign fields are query parameters', () => {
      const content = bodyOf(op).content;
      expect(Object.keys(content).sort()).toEqual([
        'application/json',
        'text/csv',
      ]);
      const csv = content['text/csv'];
      expect((csv.schema as SchemaObject).type).toBe('string');
      expect(String(csv.example)).toMatch(/^phone,/);
      const query = (op.parameters ?? [])
        .map((p) => p as { in: string; name: string })
        .filter((p) => p.in === 'query')
        .map((p) => p.name)
        .sort();
      expect(query).toEqual(
        [
          'calling_window',
          'launch_at',
          'playbook_id',
          'recall',
          'timezone',
        ].sort(),
      );
    });

    it('401, 403 and 500: described error bodies; 500 has a request_id', () => {
      const unauthorized = jsonResponse(doc, op, 401);
      expectClosedShape(unauthorized.schema, [
        'statusCode',
        'error',
        'message',
      ]);
      expect(unauthorized.response.headers?.['WWW-Authenticate']).toBeDefined();
      expectClosedShape(jsonResponse(doc, op, 403).schema, [
        'statusCode',
        'error',
        'message',
      ]);
      expectClosedShape(jsonResponse(doc, op, 500).schema, [
        'statusCode',
        'error',
        'message',
        'request_id',
      ]);
      for (const status of [202, 400, 401, 403, 500]) {
        expect(jsonResponse(doc, op, status).response.description).toBeTruthy();
      }
    });
  });

  describe('GET /campaign/{id}', () => {
    let op: OperationObject;
    beforeAll(() => {
      op = operation(doc, '/campaign/{id}', 'get');
    });

    it('requires the bearer security and takes the id in the path', () => {
      expect(op.security).toContainEqual({ bearer: [] });
      expect(op.parameters).toContainEqual(
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
      );
    });

    it('200: the campaign with its call counts; 401, 404 and 500 described', () => {
      const { schema } = jsonResponse(doc, op, 200);
      expectClosedShape(schema, [
        'campaign_id',
        'status',
        'playbook_id',
        'launch_at',
        'recall',
        'timezone',
        'calling_window',
        'created_at',
        'started_at',
        'completed_at',
        'calls',
      ]);
      const calls = property(doc, schema, 'calls');
      expectClosedShape(calls, ['total', 'by_status', 'by_outcome']);
      for (const status of [401, 404, 500]) {
        expect(jsonResponse(doc, op, status).response.description).toBeTruthy();
      }
    });
  });

  describe('the documented shapes are the real answers', () => {
    const keysOf = (schema: SchemaObject) =>
      Object.keys(schema.properties ?? {}).sort();
    const post = () => operation(doc, '/campaign', 'post');

    it('every seed example is accepted (202) with the documented body and Location', async () => {
      const examples =
        bodyOf(post()).content['application/json'].examples ?? {};
      const created = jsonResponse(doc, post(), 202).schema;
      for (const name of SEED_EXAMPLES) {
        const value = (examples[name] as { value: Record<string, unknown> })
          .value;
        const res = await t.post({ ...value, playbook_id: t.playbookId });
        expect({ name, status: res.status, body: res.body }).toMatchObject({
          name,
          status: 202,
        });
        expect(Object.keys(res.body).sort()).toEqual(keysOf(created));
        expect(res.headers.location).toBe(`/campaign/${res.body.campaign_id}`);
        expect(res.body.status).toBe(
          name === 'scheduled' ? 'scheduled' : 'running',
        );
      }
    });

    it('400, 401 and 403 bodies have the documented keys', async () => {
      const documented = jsonResponse(doc, post(), 400).schema;
      const bad = await t.post({ playbook_id: t.playbookId, launchAt: 'x' });
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body).sort()).toEqual(
        [...(documented.required ?? [])].sort(),
      );
      const badContact = await t.post({
        playbook_id: t.playbookId,
        contacts: [{ phone: '12' }],
      });
      expect(badContact.status).toBe(400);
      expect(Object.keys(badContact.body).sort()).toEqual(keysOf(documented));
      const anonymous = await t
        .http()
        .post('/campaign')
        .send({ playbook_id: t.playbookId, contacts: [{ phone: '+1' }] });
      expect(anonymous.status).toBe(401);
      expect(Object.keys(anonymous.body).sort()).toEqual(
        keysOf(jsonResponse(doc, post(), 401).schema),
      );
      const foreign = await t.post({
        playbook_id: '00000000-0000-4000-8000-000000000000',
        contacts: [{ phone: '+34612345678' }],
      });
      expect(foreign.status).toBe(403);
      expect(Object.keys(foreign.body).sort()).toEqual(
        keysOf(jsonResponse(doc, post(), 403).schema),
      );
    });

    it('GET /campaign/{id}: 200 and 404 bodies have the documented keys', async () => {
      const get = operation(doc, '/campaign/{id}', 'get');
      const created = await t
        .post({
          playbook_id: t.playbookId,
          contacts: [{ phone: '+34699999999' }],
        })
        .expect(202);
      const found = await t
        .http()
        .get(`/campaign/${created.body.campaign_id}`)
        .set('Authorization', `Bearer ${t.token}`)
        .expect(200);
      const details = jsonResponse(doc, get, 200).schema;
      expect(Object.keys(found.body).sort()).toEqual(keysOf(details));
      expect(Object.keys(found.body.calls).sort()).toEqual(
        keysOf(property(doc, details, 'calls')),
      );
      const missing = await t
        .http()
        .get('/campaign/00000000-0000-4000-8000-000000000000')
        .set('Authorization', `Bearer ${t.token}`)
        .expect(404);
      expect(Object.keys(missing.body).sort()).toEqual(
        keysOf(jsonResponse(doc, get, 404).schema),
      );
    });
  });
});

describe('sample-app docs setup', () => {
  let app: INestApplication;
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot(dataSourceOptionsFor(database.options)),
        CampaignModule.forRoot({}),
      ],
    }).compile();
    moduleRef.useLogger(false);
    app = moduleRef.createNestApplication();
    app.use(campaignBodyParser());
    // As sample-app/main.ts does: set up before the app starts.
    setupCampaignOpenApiDocs(app);
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('GET /docs-json answers 200 with the document', async () => {
    const res = await request(app.getHttpServer())
      .get('/docs-json')
      .expect(200)
      .expect('Content-Type', /json/);
    const doc = res.body as OpenAPIObject;
    expect(doc.info.version).toBe(PACKAGE_VERSION);
    expect(doc.paths['/campaign']?.post).toBeDefined();
    expect(doc.paths['/campaign/{id}']?.get).toBeDefined();
    expect(doc.components?.securitySchemes?.bearer).toBeDefined();
  });

  it('GET /docs answers 200 with the Swagger UI', async () => {
    const res = await request(app.getHttpServer()).get('/docs').expect(200);
    expect(res.text).toMatch(/swagger-ui/i);
  });
});

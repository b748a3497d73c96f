/**
 * Shared by the benchmarks under bench/: realistic contacts, the host app as
 * the sample app and the test harness build it, HTTP and RSS measuring.
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource, DataSourceOptions } from 'typeorm';
import {
  ApiTokenService,
  CAMPAIGN_DATA_SOURCE,
  CAMPAIGN_ENTITIES,
  CampaignModule,
  PlaybookService,
  campaignBodyParser,
  getCampaignMigrations,
  type CampaignModuleOptions,
} from '../lib';
import type { TestDatabase } from '../test/utils/test-database';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default. */
export const PG_URL =
  process.env.BENCH_DATABASE_URL ||
  process.env.TEST_DATABASE_URL ||
  DEFAULT_PG_URL;

export const RECALL = [30, 120];

// ---------------------------------------------------------------- contacts

export interface BenchContact {
  phone: string;
  first_name: string;
  last_name: string;
  email: string;
  city: string;
  timezone: string;
  custom_fields: { plan: string; seats: number; vip: boolean };
}

const FIRST_NAMES = [
  'Ana',
  'José',
  'Lucía',
  'Martín',
  'María',
  'Sofía',
  'Hugo',
  'Daniel',
  'Carmen',
  'Pablo',
  'Elena',
  'Álvaro',
  'Laura',
  'Javier',
  'Marta',
  'Iñigo',
];
const LAST_NAMES = [
  'García',
  'Fernández',
  'González',
  'Rodríguez',
  'López',
  'Martínez',
  'Sánchez',
  'Pérez',
  'Gómez',
  'Martín',
  'Jiménez',
  'Ruiz',
  'Hernández',
  'Díaz',
  'Moreno',
  'Muñoz',
  'Álvarez',
  'Núñez',
];
const CITIES: [string, string][] = [
  ['Madrid', 'Europe/Madrid'],
  ['Barcelona', 'Europe/Madrid'],
  ['Valencia', 'Europe/Madrid'],
  ['Sevilla', 'Europe/Madrid'],
  ['Bilbao', 'Europe/Madrid'],
  ['Málaga', 'Europe/Madrid'],
  ['Zaragoza', 'Europe/Madrid'],
  ['Las Palmas de Gran Canaria', 'Atlantic/Canary'],
  ['Santa Cruz de Tenerife', 'Atlantic/Canary'],
];
const PLANS = ['free', 'starter', 'pro', 'enterprise'];

/** Spanish mobiles `+34 6xx xxx xxx`: every one is valid for libphonenumber-js/max. */
let nextPhone = 10_000_000;
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const pick = <T>(items: readonly T[]): T =>
  items[Math.floor(random() * items.length)];
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** N contacts whose phones were never used before in this process. */
export function makeContacts(n: number): BenchContact[] {
  const contacts: BenchContact[] = [];
  for (let i = 0; i < n; i++) {
    const number = nextPhone++;
    if (number > 99_999_999) throw new Error('phone numbers exhausted');
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const [city, timezone] = pick(CITIES);
    contacts.push({
      phone: `+346${number}`,
      first_name: first,
      last_name: last,
      email: `${ascii(first)}.${ascii(last)}.${number}@example.com`,
      city,
      timezone,
      custom_fields: {
        plan: pick(PLANS),
        seats: 1 + Math.floor(random() * 200),
        vip: random() < 0.1,
      },
    });
  }
  return contacts;
}

// ---------------------------------------------------------------- measuring

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Peak RSS during a piece of work: `process.memoryUsage().rss` sampled every
 * 2 ms, and on Linux the kernel's exact high-water mark (VmHWM, reset before
 * the work through /proc/self/clear_refs), which also sees peaks inside
 * synchronous work where no timer can fire.
 */
export class RssSampler {
  private peak = 0;
  private timer?: NodeJS.Timeout;
  private hwmReset = false;

  start(): void {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      this.hwmReset = true;
    } catch {
      this.hwmReset = false;
    }
    this.peak = process.memoryUsage().rss;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage().rss);
    }, 2);
  }

  /** Peak RSS in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
    if (this.hwmReset) {
      try {
        const status = readFileSync('/proc/self/status', 'utf8');
        const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status);
        if (kb) this.peak = Math.max(this.peak, Number(kb[1]) * 1024);
      } catch {
        // keep the sampled peak
      }
    }
    return this.peak;
  }
}

export interface HttpResult {
  status: number;
  body: string;
}

export function post(
  port: number,
  path: string,
  token: string,
  payload: Buffer,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        // A new connection per request: a reused keep-alive socket can be
        // closed by the server's keepAliveTimeout while the bench does other work.
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': payload.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

// ---------------------------------------------------------------- the app

export interface BenchApp {
  app: NestExpressApplication;
  port: number;
  dataSource: DataSource;
  /** A token and a playbook of a new account. */
  account(
    name: string,
  ): Promise<{ id: string; token: string; playbookId: string }>;
}

/** The host app as the sample app / test harness builds it, on 127.0.0.1:0. */
export async function startApp(
  database: TestDatabase,
  config: { options?: CampaignModuleOptions } = {},
): Promise<BenchApp> {
  const campaignModule = CampaignModule.forRoot(config.options ?? {});
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        ...database.options,
        entities: CAMPAIGN_ENTITIES,
        migrations: getCampaignMigrations(database.options.type),
        migrationsRun: true,
        synchronize: false,
      } as DataSourceOptions),
      campaignModule,
    ],
  })
  class BenchHostModule {}

  const app = await NestFactory.create<NestExpressApplication>(
    BenchHostModule,
    { logger: ['error'] },
  );
  app.use(campaignBodyParser());
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const dataSource = app.get<DataSource>(CAMPAIGN_DATA_SOURCE);
  const tokens = app.get(ApiTokenService);
  const playbooks = app.get(PlaybookService);
  return {
    app,
    port,
    dataSource,
    async account(name) {
      const id = `bench-${name}-${randomUUID().slice(0, 8)}`;
      const { token } = await tokens.issue(id, { name: 'bench' });
      const playbook = await playbooks.register({
        accountId: id,
        name: 'Bench playbook',
      });
      return { id, token, playbookId: playbook.id };
    },
  };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

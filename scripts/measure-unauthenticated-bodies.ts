/**
 * What a client without a token can cost the server: the time to answer a
 * 14 MB unauthenticated POST /campaign, and an authenticated GET's latency
 * while four such clients send them without pause. Run with
 *   node -r ./scripts/swc-register.cjs scripts/measure-unauthenticated-bodies.ts
 * "module" is the module as documented (campaignBodyParser: the body is read
 * after auth); "parse first" is a host whose JSON parser (16 MB limit) reads
 * every body before the guards, as v0.1's campaignJsonBodyParser did.
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { json } from 'express';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import {
  ApiTokenService,
  CAMPAIGN_ENTITIES,
  CampaignModule,
  campaignBodyParser,
  getCampaignMigrations,
} from '../lib';

const BODY = Buffer.alloc(14 * 1024 * 1024, 0x20);
const SECONDS = 5;

type Mode = 'module' | 'parse first';

async function start(mode: Mode) {
  const file = join(tmpdir(), `measure-${process.pid}-${Date.now()}.sqlite`);
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: file,
        entities: CAMPAIGN_ENTITIES,
        migrations: getCampaignMigrations('better-sqlite3'),
        migrationsRun: true,
      }),
      CampaignModule.forRoot({ scheduler: { enabled: false } }),
    ],
  })
  class HostModule {}
  const app = await NestFactory.create<NestExpressApplication>(HostModule, {
    logger: ['error'],
    bodyParser: mode === 'module',
  });
  if (mode === 'module') app.use(campaignBodyParser());
  else app.use(json({ limit: '16mb' }));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const { token } = await app.get(ApiTokenService).issue('acct', {});
  return {
    port,
    token,
    close: async () => {
      await app.close();
      rmSync(file, { force: true });
    },
  };
}

/** One unauthenticated 14 MB POST: ms until the status line arrives. */
function hostilePost(port: number): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/campaign',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': BODY.length,
      },
      agent: false,
    });
    const done = () => resolve(performance.now() - started);
    req.on('response', (res) => {
      res.resume();
      done();
    });
    req.on('error', done);
    req.end(BODY);
  });
}

function authedGet(port: number, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/campaign?limit=1',
        headers: { Authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - started));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
};

async function latency(port: number, token: string, until: number) {
  const samples: number[] = [];
  while (performance.now() < until) samples.push(await authedGet(port, token));
  return samples;
}

async function measure(mode: Mode) {
  const app = await start(mode);
  try {
    const single: number[] = [];
    for (let i = 0; i < 10; i++) single.push(await hostilePost(app.port));
    const quiet = await latency(
      app.port,
      app.token,
      performance.now() + SECONDS * 1000,
    );
    const until = performance.now() + SECONDS * 1000;
    let hostile = 0;
    const attackers = Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        await hostilePost(app.port);
        hostile++;
      }
    });
    const loaded = await latency(app.port, app.token, until);
    await Promise.all(attackers);
    return {
      mode,
      postMedianMs: percentile(single, 0.5),
      quietP99: percentile(quiet, 0.99),
      loadedP99: percentile(loaded, 0.99),
      hostile,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    };
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (const mode of ['module', 'parse first', 'module'] as Mode[]) {
    rows.push(await measure(mode));
  }
  console.log(
    '| host setup | 14 MB unauthenticated POST, median ms to 401 | authenticated GET p99 ms, quiet | p99 ms with 4 such clients | hostile requests answered | RSS MB after |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.mode} | ${r.postMedianMs.toFixed(1)} | ${r.quietP99.toFixed(1)} | ${r.loadedP99.toFixed(1)} | ${r.hostile} | ${r.rssMb} |`,
    );
  }
}

void main();

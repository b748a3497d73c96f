#!/usr/bin/env node
/**
 * `npm run pack:check`: the published package, tried as a new user would.
 *
 *  1. `npm pack` (its prepack builds dist/lib clean and strips package.json,
 *     see manifest.mjs) into a temp folder, and checks the tarball: LICENSE,
 *     README, "main"/"types" present, no scripts or devDependencies in its
 *     package.json, no source map without its sources, and no import in
 *     dist/lib of a package that is neither a dependency nor a peer.
 *  2. A fresh host app (./host) in a temp folder whose package.json has the
 *     tarball, the peers the tarball declares (pinned to the versions of this
 *     repository's node_modules, so npm resolves from its cache) and what a
 *     host adds itself: @nestjs/platform-express, better-sqlite3, pg,
 *     typescript, @types/node. Nothing else (no @types/express).
 *  3. `tsc -p .` in the host with "strict" and "skipLibCheck": false: the
 *     published .d.ts must compile on their own.
 *  4. Boots the host on SQLite, then on PostgreSQL (a fresh database, dropped
 *     after), and over real HTTP: POST /campaign with the minimal body
 *     (playbook_id + one phone) must answer 202 with a Location, and GET that
 *     Location 200.
 *
 * Environment:
 *   PACK_CHECK_DATABASE_URL     admin URL of the PostgreSQL server
 *                               (default postgres://postgres@127.0.0.1:5432/postgres)
 *   PACK_CHECK_REQUIRE_POSTGRES=1  no server answering is a failure, not a skip
 *   PACK_CHECK_KEEP=1           keep the temp folder (printed) for a look
 *   PACK_CHECK_VERBOSE=1        print the hosts' logs even when they pass
 *
 * Exit code 0 only if every step passed (a skipped PostgreSQL leg is not a failure
 * unless PACK_CHECK_REQUIRE_POSTGRES=1).
 */
/* global fetch, AbortSignal */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const started = Date.now();

/** What a host installs besides the package and its peers. */
const HOST_PACKAGES = [
  '@nestjs/platform-express',
  'better-sqlite3',
  'pg',
  'typescript',
  '@types/node',
];
/** The seed's minimal request: a playbook and one phone. */
const MINIMAL_CONTACT_PHONE = '+34612345678';
const READY_PREFIX = 'PACK_CHECK_READY ';
const BOOT_TIMEOUT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 20_000;

const keep = process.env.PACK_CHECK_KEEP === '1';
const verbose = process.env.PACK_CHECK_VERBOSE === '1';
const requirePostgres = process.env.PACK_CHECK_REQUIRE_POSTGRES === '1';
const adminUrl =
  process.env.PACK_CHECK_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

const results = [];

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function info(message) {
  console.log(`pack-check: ${message}`);
}

function record(status, step, detail = '') {
  results.push({ status, step });
  console.log(`${status} ${step}${detail ? `: ${detail}` : ''}`);
}

function indent(text) {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/**
 * The environment of child npm/node processes. `npm run` exports its own
 * state (npm_config_local_prefix=<this repo>, npm_package_*, npm_lifecycle_*):
 * a child `npm install` must not see it, or it may install into this
 * repository. Settings a user gave (NPM_CONFIG_*, registry, cache, proxies,
 * certificates, node headers) are kept.
 */
function childEnv(extra = {}) {
  const keepConfig = new Set([
    'npm_config_cache',
    'npm_config_registry',
    'npm_config_userconfig',
    'npm_config_globalconfig',
    'npm_config_cafile',
    'npm_config_nodedir',
    'npm_config_proxy',
    'npm_config_https_proxy',
    'npm_config_noproxy',
    'npm_config_strict_ssl',
  ]);
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/.test(key) && !keepConfig.has(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function npmCommand() {
  // The npm that runs this script, else the one on PATH.
  const cli = process.env.npm_execpath;
  return cli && /npm-cli\.js$/.test(cli)
    ? { command: process.execPath, prefix: [cli] }
    : { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', prefix: [] };
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: childEnv(),
    ...options,
  });
  return {
    ok: result.status === 0,
    code: result.status ?? result.signal ?? result.error?.message,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
  };
}

function npm(args, options) {
  const { command, prefix } = npmCommand();
  return run(command, [...prefix, ...args], options);
}

function installedVersion(name) {
  try {
    const file = join(root, 'node_modules', ...name.split('/'), 'package.json');
    return JSON.parse(readFileSync(file, 'utf8')).version;
  } catch {
    return undefined;
  }
}

function listFiles(dir, base = dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path, base));
    else out.push(relative(base, path).split(sep).join('/'));
  }
  return out;
}

function packageNameOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return null;
  if (specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@')
    ? parts.slice(0, 2).join('/')
    : parts[0];
  return builtinModules.includes(name) ? null : name;
}

/** Bare specifiers in compiled JS (require) and declarations (import/export from, import()). */
function importedPackages(text) {
  const found = new Set();
  const patterns = [
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
    /\bfrom\s+["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /^\s*import\s+["']([^"']+)["']/gm,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const name = packageNameOf(match[1]);
      if (name) found.add(name);
    }
  }
  return found;
}

/** Step 1: pack, unpack, look at what a user would get. */
function packAndInspect(work) {
  const t = Date.now();
  const packDir = join(work, 'tarball');
  mkdirSync(packDir);
  const packed = npm(['pack', '--json', '--pack-destination', packDir], {
    cwd: root,
  });
  if (!packed.ok) {
    record('FAIL', 'npm pack', `exit ${packed.code}`);
    console.log(indent(packed.stderr + packed.stdout));
    return null;
  }
  const json = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
  const tarball = join(packDir, json[0].filename);
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  const untar = run('tar', ['-xzf', tarball, '-C', unpacked]);
  if (!untar.ok) {
    record('FAIL', 'npm pack', `cannot unpack ${tarball}: ${untar.stderr}`);
    return null;
  }
  const pkgDir = join(unpacked, 'package');
  const files = listFiles(pkgDir);
  const fileSet = new Set(files);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const problems = [];

  for (const required of ['package.json', 'README.md', 'LICENSE']) {
    if (!fileSet.has(required)) problems.push(`no ${required}`);
  }
  for (const field of ['main', 'types']) {
    const target = pkg[field] && posix.normalize(pkg[field]);
    if (!target) problems.push(`package.json has no "${field}"`);
    else if (!fileSet.has(target)) {
      problems.push(`"${field}" is ${pkg[field]}, not in the tarball`);
    }
  }
  for (const field of ['scripts', 'devDependencies', 'jest', 'allowScripts']) {
    if (pkg[field] !== undefined) {
      const keys = Object.keys(pkg[field] ?? {}).join(', ');
      problems.push(`package.json still has "${field}" (${keys})`);
    }
  }
  // Source maps: none, or each with its sources (in the tarball or inline).
  const maps = files.filter((f) => f.endsWith('.map'));
  for (const map of maps) {
    const content = JSON.parse(readFileSync(join(pkgDir, map), 'utf8'));
    (content.sources ?? []).forEach((source, i) => {
      const inline = content.sourcesContent?.[i] != null;
      const path = posix.normalize(
        posix.join(posix.dirname(map), content.sourceRoot ?? '', source),
      );
      if (!inline && !fileSet.has(path)) {
        problems.push(`${map} points at ${source}, which is not shipped`);
      }
    });
  }
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(join(pkgDir, file), 'utf8');
    const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text);
    if (match && !match[1].startsWith('data:')) {
      const target = posix.normalize(posix.join(posix.dirname(file), match[1]));
      if (!fileSet.has(target))
        problems.push(`${file} names a missing ${match[1]}`);
    }
  }
  const sizeKb = (json[0].size / 1024).toFixed(1);
  const detail = `${json[0].filename}, ${files.length} files, ${sizeKb} kB packed, ${maps.length} source maps (${seconds(t)})`;
  if (problems.length) {
    record('FAIL', 'tarball', detail);
    console.log(indent(problems.join('\n')));
  } else {
    record('PASS', 'tarball', detail);
  }

  // Every package dist/lib loads or names must be one the user installs.
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ]);
  const undeclared = new Map();
  for (const file of files.filter((f) =>
    /\.(c|m)?js$|\.d\.(c|m)?ts$/.test(f),
  )) {
    for (const name of importedPackages(
      readFileSync(join(pkgDir, file), 'utf8'),
    )) {
      if (declared.has(name) || name === pkg.name) continue;
      if (!undeclared.has(name)) undeclared.set(name, []);
      undeclared.get(name).push(file);
    }
  }
  if (undeclared.size) {
    record(
      'FAIL',
      'imports',
      'dist/lib imports packages that are neither dependencies nor peers',
    );
    for (const [name, where] of undeclared) {
      console.log(indent(`${name}: ${where.join(', ')}`));
    }
  } else {
    record(
      'PASS',
      'imports',
      'every package dist/lib imports is a dependency or a peer',
    );
  }
  return { tarball, pkg };
}

/** Step 2: the host folder and its install. */
function installHost(work, { tarball, pkg }) {
  const t = Date.now();
  const hostDir = join(work, 'host');
  cpSync(join(here, 'host'), hostDir, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist)$/.test(src),
  });
  const pin = (name, range) => installedVersion(name) ?? range ?? 'latest';
  const dependencies = {
    [pkg.name]: `file:${relative(hostDir, tarball).split(sep).join('/')}`,
  };
  for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
    dependencies[name] = pin(name, range);
  }
  for (const name of HOST_PACKAGES) dependencies[name] = pin(name);
  const hostPkg = {
    name: 'pack-check-host',
    private: true,
    version: '0.0.0',
    description: `A new host app of ${pkg.name}`,
    license: 'UNLICENSED',
    dependencies,
    // npm 11: install scripts allowed (better-sqlite3 compiles its binding).
    allowScripts: { 'better-sqlite3': true },
  };
  writeFileSync(
    join(hostDir, 'package.json'),
    JSON.stringify(hostPkg, null, 2) + '\n',
  );
  // Install scripts are left out, then run where they matter (below): the
  // tarball has none (checked above), and better-sqlite3's is a 2-minute
  // compile of SQLite that this repository's node_modules has already done.
  const installed = npm(
    [
      'install',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=warn',
    ],
    { cwd: hostDir },
  );
  const peers = Object.keys(pkg.peerDependencies ?? {}).length;
  if (!installed.ok) {
    record('FAIL', 'install', `npm install exit ${installed.code}`);
    console.log(indent(installed.stderr + installed.stdout));
    return null;
  }
  const native = sqliteBinding(hostDir);
  if (!native.ok) {
    record('FAIL', 'install', native.detail);
    return null;
  }
  record(
    'PASS',
    'install',
    `tarball + ${peers} peers + ${HOST_PACKAGES.join(', ')}; ${native.detail} (${seconds(t)})`,
  );
  if (verbose && installed.stderr.trim()) console.log(indent(installed.stderr));
  return hostDir;
}

function bindingLoads(dir) {
  const probe =
    "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()";
  return run(process.execPath, ['-e', probe], { cwd: dir });
}

/**
 * better-sqlite3's native binding: a copy of this repository's build when it
 * is the same version and loads here (same Node ABI), else built from source
 * as a new user's install would (`npm rebuild`, about 2 minutes). Set
 * PACK_CHECK_NATIVE_BUILD=1 to always build it.
 */
function sqliteBinding(hostDir) {
  const relativePath = [
    'node_modules',
    'better-sqlite3',
    'build',
    'Release',
    'better_sqlite3.node',
  ];
  const ours = join(root, ...relativePath);
  const theirs = join(hostDir, ...relativePath);
  const sameVersion =
    installedVersion('better-sqlite3') ===
    JSON.parse(
      readFileSync(
        join(hostDir, 'node_modules', 'better-sqlite3', 'package.json'),
        'utf8',
      ),
    ).version;
  if (
    process.env.PACK_CHECK_NATIVE_BUILD !== '1' &&
    sameVersion &&
    existsSync(ours)
  ) {
    mkdirSync(dirname(theirs), { recursive: true });
    cpSync(ours, theirs);
    if (bindingLoads(hostDir).ok)
      return {
        ok: true,
        detail: "better-sqlite3 binding copied from this repository's build",
      };
    rmSync(theirs, { force: true });
  }
  const t = Date.now();
  const rebuilt = npm(
    ['rebuild', 'better-sqlite3', '--foreground-scripts=false'],
    { cwd: hostDir },
  );
  const probe = rebuilt.ok ? bindingLoads(hostDir) : rebuilt;
  return probe.ok
    ? { ok: true, detail: `better-sqlite3 built from source (${seconds(t)})` }
    : {
        ok: false,
        detail: `better-sqlite3 does not load after npm rebuild: ${(probe.stderr || probe.stdout).trim().split('\n').slice(-3).join(' ')}`,
      };
}

/** Step 3: the published typings, compiled by a strict host without skipLibCheck. */
function compileHost(hostDir) {
  const t = Date.now();
  const tsc = join(hostDir, 'node_modules', 'typescript', 'bin', 'tsc');
  const compiled = run(
    process.execPath,
    [tsc, '-p', '.', '--pretty', 'false'],
    {
      cwd: hostDir,
    },
  );
  const emitted = existsSync(join(hostDir, 'dist', 'main.js'));
  if (compiled.ok) {
    record(
      'PASS',
      'typings',
      `tsc -p . (strict, skipLibCheck false) (${seconds(t)})`,
    );
  } else {
    const errors = (compiled.stdout + compiled.stderr)
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => line.replace(`${hostDir}${sep}`, ''));
    record(
      'FAIL',
      'typings',
      `tsc -p . (strict, skipLibCheck false): ${errors.filter((l) => /error TS/.test(l)).length} errors`,
    );
    console.log(indent(errors.join('\n')));
    if (emitted)
      info(
        'tsc emitted JavaScript anyway: booting it to check the runtime too',
      );
  }
  return emitted;
}

function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => resolveExit(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit(true);
    });
  });
}

async function request(method, url, token, body) {
  const response = await fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The dashboard the host mounts: its page and the two files it names, from the tarball. */
async function dashboardProblems(url) {
  const page = await request('GET', `${url}/campaign-dashboard`);
  if (
    page.status !== 200 ||
    !page.headers.get('content-type')?.startsWith('text/html')
  ) {
    return [
      `GET /campaign-dashboard answered ${page.status}: ${page.text.slice(0, 200)}`,
    ];
  }
  const assets = [
    ...page.text.matchAll(
      /(?:src|href)="(campaign-dashboard\/assets\/[^"]+)"/g,
    ),
  ].map((m) => m[1]);
  if (assets.length !== 2) {
    return [`the dashboard page names ${assets.length} assets, not 2`];
  }
  const problems = [];
  for (const asset of assets) {
    const res = await request('GET', `${url}/${asset}`);
    if (res.status !== 200)
      problems.push(`GET /${asset} answered ${res.status}`);
  }
  return problems;
}

/** Step 4, one database: boot, POST the minimal campaign, GET it, the dashboard, stop. */
async function bootLeg(hostDir, name, env) {
  const t = Date.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: hostDir,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const problems = [];
  let detail = '';
  const ready = new Promise((resolveReady) => {
    let buffered = '';
    const onData = (chunk) => {
      output += chunk;
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith(READY_PREFIX)) {
          resolveReady(JSON.parse(line.slice(READY_PREFIX.length)));
        }
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.once('exit', (code, signal) =>
      resolveReady({ exited: code ?? signal }),
    );
    setTimeout(() => resolveReady({ timeout: true }), BOOT_TIMEOUT_MS).unref();
  });
  try {
    const host = await ready;
    if (host.exited !== undefined) {
      problems.push(`the host exited (${host.exited}) before it was ready`);
    } else if (host.timeout) {
      problems.push(
        `the host was not ready within ${BOOT_TIMEOUT_MS / 1000} s`,
      );
    } else {
      const body = {
        playbook_id: host.playbookId,
        contacts: [{ phone: MINIMAL_CONTACT_PHONE }],
      };
      const created = await request(
        'POST',
        `${host.url}/campaign`,
        host.token,
        body,
      );
      const location = created.headers.get('location');
      if (created.status !== 202) {
        problems.push(
          `POST /campaign answered ${created.status}, not 202: ${created.text}`,
        );
      } else if (!location) {
        problems.push('POST /campaign answered 202 without a Location header');
      } else {
        const id = created.json?.campaign_id;
        const fetched = await request(
          'GET',
          new URL(location, host.url).href,
          host.token,
        );
        if (fetched.status !== 200) {
          problems.push(
            `GET ${location} answered ${fetched.status}, not 200: ${fetched.text}`,
          );
        } else if (!id || fetched.json?.campaign_id !== id) {
          problems.push(
            `GET ${location} is not campaign ${id}: ${fetched.text}`,
          );
        } else {
          detail = `POST /campaign 202 Location ${location}, GET 200 (${fetched.json.status})`;
          const dashboard = await dashboardProblems(host.url);
          problems.push(...dashboard);
          if (!dashboard.length) detail += ', dashboard page and assets 200';
        }
      }
    }
  } catch (error) {
    problems.push(
      `request failed: ${error instanceof Error ? error.message : error}`,
    );
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, SHUTDOWN_TIMEOUT_MS))) {
        problems.push(
          `the host did not stop within ${SHUTDOWN_TIMEOUT_MS / 1000} s of SIGTERM`,
        );
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
  }
  // Nest's logger: "[Nest] <pid>  - <date>   ERROR [Context] message".
  const errorLines = output
    .split('\n')
    .filter((line) => /\sERROR\s+\[/.test(line));
  if (errorLines.length)
    problems.push(`the host logged errors:\n${errorLines.join('\n')}`);
  if (problems.length) {
    record('FAIL', name, problems[0].split('\n')[0]);
    console.log(indent(problems.join('\n')));
    console.log(indent(`host output:\n${output || '(none)'}`));
  } else {
    record('PASS', name, `${detail} (${seconds(t)})`);
    if (verbose) console.log(indent(output));
  }
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function postgresLeg(hostDir) {
  const { Client } = createRequire(join(hostDir, 'package.json'))('pg');
  const admin = new Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: 3_000,
  });
  admin.on('error', () => undefined);
  const shown = new URL(adminUrl);
  shown.password = shown.password ? '***' : '';
  try {
    await admin.connect();
  } catch (error) {
    const why =
      error instanceof Error ? error.message || error.code : String(error);
    const message = `no PostgreSQL server answers at ${shown} (${why}); set PACK_CHECK_DATABASE_URL`;
    record(requirePostgres ? 'FAIL' : 'SKIP', 'postgres', message);
    return;
  }
  const database = `pack_check_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    await bootLeg(hostDir, 'postgres', {
      DATABASE_URL: withDatabase(adminUrl, database),
    });
  } finally {
    await admin
      .query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      .catch((error) =>
        info(`could not drop database ${database}: ${error.message}`),
      );
    await admin.end().catch(() => undefined);
  }
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'pack-check-'));
  info(`temp folder ${work}`);
  try {
    const packed = packAndInspect(work);
    if (!packed) return;
    const hostDir = installHost(work, packed);
    if (!hostDir) return;
    if (!compileHost(hostDir)) {
      record('FAIL', 'boot', 'tsc emitted no dist/main.js: nothing to boot');
      return;
    }
    await bootLeg(hostDir, 'sqlite', {
      SQLITE_PATH: join(work, 'host.sqlite'),
    });
    await postgresLeg(hostDir);
  } finally {
    if (keep) info(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  record(
    'FAIL',
    'pack-check',
    error instanceof Error ? error.stack : String(error),
  );
}
const failed = results.filter((r) => r.status === 'FAIL');
const skipped = results.filter((r) => r.status === 'SKIP');
const summary = failed.length
  ? `FAIL (${failed.map((r) => r.step).join(', ')})`
  : `PASS${skipped.length ? ` (skipped: ${skipped.map((r) => r.step).join(', ')})` : ''}`;
info(`${summary} in ${seconds(started)}`);
process.exitCode = failed.length ? 1 : 0;

#!/usr/bin/env node
/**
 * The package.json that goes into the tarball, for `npm pack` / `npm publish`
 * run from the repository root.
 *
 *   "prepack":  "node scripts/pack-check/manifest.mjs prepack"
 *   "postpack": "node scripts/pack-check/manifest.mjs postpack"
 *
 * prepack: a clean build of dist/lib (no stale files of deleted sources),
 * checks that "main" and "types" exist, then keeps the original package.json
 * in .package.json.prepack (with the stripped text) and writes one without the fields that only
 * mean something in this repository: "scripts" (build, start, test, bench...
 * none can run from the tarball), "devDependencies", "jest", "allowScripts".
 * npm reads the files of the tarball after prepack, so the tarball carries the
 * stripped file. (The same trick as clean-package and pinst.)
 *
 * postpack: puts the original back, byte for byte. If package.json was edited
 * while the pack ran, the removed fields are merged back into the edited file
 * instead, so that edit is not lost.
 *
 * `node scripts/pack-check/manifest.mjs restore` does the same by hand after
 * an interrupted pack (npm does not run postpack when the pack fails); prepack
 * also restores a leftover backup before it starts.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STRIPPED_FIELDS = [
  'scripts',
  'devDependencies',
  'jest',
  'allowScripts',
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const manifestPath = join(root, 'package.json');
// { original, written }: the repository's package.json and the one packed.
const backupPath = join(root, '.package.json.prepack');

function log(message) {
  console.error(`[manifest] ${message}`);
}

function indentOf(text) {
  return /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
}

function serialize(object, like) {
  const eol = like.includes('\r\n') ? '\r\n' : '\n';
  const body = JSON.stringify(object, null, indentOf(like));
  return (eol === '\n' ? body : body.replace(/\n/g, eol)) + eol;
}

export function stripManifest(pkg) {
  const out = {};
  for (const [key, value] of Object.entries(pkg)) {
    if (!STRIPPED_FIELDS.includes(key)) out[key] = value;
  }
  return out;
}

function restore() {
  if (!existsSync(backupPath)) return false;
  const { original, written } = JSON.parse(readFileSync(backupPath, 'utf8'));
  const current = readFileSync(manifestPath, 'utf8');
  if (current === written) {
    writeFileSync(manifestPath, original);
  } else {
    // Edited during the pack: keep the edit, put the removed fields back
    // where they were in the original.
    const originalPkg = JSON.parse(original);
    const currentPkg = JSON.parse(current);
    const merged = {};
    for (const key of Object.keys(originalPkg)) {
      if (key in currentPkg) merged[key] = currentPkg[key];
      else if (STRIPPED_FIELDS.includes(key)) merged[key] = originalPkg[key];
    }
    for (const key of Object.keys(currentPkg)) {
      if (!(key in merged)) merged[key] = currentPkg[key];
    }
    writeFileSync(manifestPath, serialize(merged, original));
    log(
      'package.json changed during the pack: merged the packing-only fields back into it',
    );
  }
  unlinkSync(backupPath);
  return true;
}

function build() {
  rmSync(join(root, 'dist', 'lib'), { recursive: true, force: true });
  // The build's output goes to stderr: `npm pack --json` owns stdout.
  const stdio = ['ignore', 2, 2];
  const npm = process.env.npm_execpath;
  const result = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio })
    : spawnSync('npm', ['run', 'build'], {
        cwd: root,
        stdio,
        shell: process.platform === 'win32',
      });
  if (result.status !== 0) {
    throw new Error(
      `npm run build failed (exit ${result.status ?? result.signal})`,
    );
  }
}

function prepack() {
  if (restore())
    log('restored package.json left stripped by an interrupted pack');
  build();
  const original = readFileSync(manifestPath, 'utf8');
  const pkg = JSON.parse(original);
  for (const field of ['main', 'types']) {
    if (!pkg[field] || !existsSync(join(root, pkg[field]))) {
      throw new Error(
        `package.json "${field}" (${pkg[field]}) does not exist after the build`,
      );
    }
  }
  const stripped = serialize(stripManifest(pkg), original);
  writeFileSync(backupPath, JSON.stringify({ original, written: stripped }));
  writeFileSync(manifestPath, stripped);
  log(
    `package.json for the tarball: without ${STRIPPED_FIELDS.join(', ')} (restored by postpack)`,
  );
}

const isMain =
  process.argv[1] &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const command = process.argv[2];
  try {
    if (command === 'prepack') prepack();
    else if (command === 'postpack' || command === 'restore') {
      if (!restore() && command === 'restore') log('nothing to restore');
    } else {
      throw new Error('usage: manifest.mjs prepack | postpack | restore');
    }
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

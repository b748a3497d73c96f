#!/usr/bin/env node
/**
 * `npm run build`, after tsc: the files under lib/ that tsc does not emit
 * (the dashboard's page, script and stylesheet) go to dist/lib beside the
 * compiled code that reads them.
 */
import { cpSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ASSET_DIRS = ['dashboard/assets'];

for (const dir of ASSET_DIRS) {
  const target = join(root, 'dist', 'lib', dir);
  rmSync(target, { recursive: true, force: true });
  cpSync(join(root, 'lib', dir), target, { recursive: true });
}

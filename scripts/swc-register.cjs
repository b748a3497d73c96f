/**
 * Runs the project's TypeScript directly in a Node process that Jest does not
 * transform: the benchmarks (`node -r ./scripts/swc-register.cjs bench/x.ts`)
 * and the processes the multi-replica tests fork. Every project `.ts` file is
 * compiled on require() with @swc/core, with the options of the Jest
 * transform (CommonJS, legacy decorators, decorator metadata). The ESM-only
 * NestJS 12 packages are loaded by Node's own require(esm) (Node >= 20.19).
 * No type checking: `npm run typecheck` covers bench/ and test/.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
/* global require */
'use strict';
const Module = require('node:module');
const { sep } = require('node:path');
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  throw new Error(
    `this needs Node >= 20.19 (require of ESM-only NestJS 12), not ${process.versions.node}`,
  );
}

const options = {
  jsc: {
    target: 'es2023',
    keepClassNames: true,
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = function compileTs(module, filename) {
  if (filename.includes(`${sep}node_modules${sep}`)) {
    throw new Error(`refusing to compile ${filename} from node_modules`);
  }
  const source = readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...options, filename });
  module._compile(code, filename);
};

// Stack traces point at the TypeScript lines.
process.setSourceMapsEnabled?.(true);

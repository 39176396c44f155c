/**
 * Bundles every Lambda function (functions/<name>/handler.ts → dist/functions/<name>/index.mjs)
 * and the CLI (dist/cli/ena-guard.mjs) with esbuild: one minified ESM file each, the AWS SDK v3
 * bundled and tree-shaken, targeting Node 20 (Lambda runs nodejs24.x, which also runs it).
 * Names are kept (`keepNames`), so Lambda's errorType, the logs and the CLI say
 * `IncompleteEvaluationError` as the code and the docs do, and a source map (`index.mjs.map`)
 * sits beside each bundle; the functions run with `--enable-source-maps` (template Globals).
 * `mainFields: ['module', 'main']` makes esbuild take the SDK's ES modules, which tree-shake to
 * about half the size of the CommonJS builds.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Some bundled CommonJS dependencies call require(); give ESM output a real one. */
const requireShim = "import { createRequire as __enaGuardCreateRequire } from 'node:module'; const require = __enaGuardCreateRequire(import.meta.url);";

export interface BuiltBundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
}

export function functionNames(): string[] {
  return readdirSync(join(root, 'functions')).filter((name) => statSync(join(root, 'functions', name, 'handler.ts'), { throwIfNoEntry: false })?.isFile());
}

const common: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: requireShim },
  legalComments: 'none',
  logLevel: 'warning',
};

export async function buildAll(outdir = join(root, 'dist')): Promise<BuiltBundle[]> {
  const bundles: BuiltBundle[] = [];
  for (const name of functionNames()) {
    const file = join(outdir, 'functions', name, 'index.mjs');
    await build({ ...common, entryPoints: [join(root, 'functions', name, 'handler.ts')], outfile: file });
    bundles.push({ name: `functions/${name}`, file, bytes: statSync(file).size });
  }
  const cli = join(outdir, 'cli', 'ena-guard.mjs');
  await build({ ...common, entryPoints: [join(root, 'src', 'cli', 'bin.ts')], outfile: cli, banner: { js: `#!/usr/bin/env node\n${requireShim}` } });
  bundles.push({ name: 'cli', file: cli, bytes: statSync(cli).size });
  return bundles;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bundles = await buildAll(process.argv[2] ?? join(root, 'dist'));
  for (const bundle of bundles) {
    console.log(`${bundle.name.padEnd(28)} ${(bundle.bytes / 1024).toFixed(1).padStart(8)} KiB  ${relative(root, bundle.file)}`);
  }
}

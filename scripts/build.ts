/**
 * Bundles every Lambda function (functions/<name>/handler.ts → dist/functions/<name>/index.mjs)
 * and the CLI (dist/cli/ena-guard.mjs) with esbuild: one minified ESM file each, the AWS SDK v3
 * bundled and tree-shaken, targeting Node 20 (Lambda runs nodejs24.x, which also runs it).
 * Names are kept (`keepNames`), so Lambda's errorType, the logs and the CLI say
 * `IncompleteEvaluationError` as the code and the docs do, and a source map (`index.mjs.map`)
 * sits beside each bundle; the functions run with `--enable-source-maps` (template Globals).
 * `mainFields: ['module', 'main']` makes esbuild take the SDK's ES modules, which tree-shake to
 * about half the size of the CommonJS builds; {@link literalSchemaKeysPlugin} lets the clients'
 * schema modules tree-shake too (each function bundle about 1 MB -> 0.55 MB, and it loads in about
 * half the time: most of the load is V8 compiling the file).
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Some bundled CommonJS dependencies call require(); give ESM output a real one, in the bundles that
 * need it. esbuild turns every reference to `require` in bundled code (a call, `typeof require`,
 * `require.resolve`) into its `__require` helper, which throws `Dynamic require of "…" is not
 * supported` unless a `require` is in scope: a bundle whose output has no such helper refers to
 * `require` nowhere and is written without the shim (today the CLI needs it, the functions do not).
 */
const requireShim = "import { createRequire as __enaGuardCreateRequire } from 'node:module'; const require = __enaGuardCreateRequire(import.meta.url);";
const REQUIRE_HELPER = 'Dynamic require of "';

/** Builds one bundle (and its source map), with the require shim only if its code needs one. */
async function bundle(options: BuildOptions, banner = ''): Promise<void> {
  const withoutShim = await build({ ...options, write: false, ...(banner ? { banner: { js: banner } } : {}) });
  const code = withoutShim.outputFiles.find((output) => output.path.endsWith('.mjs'));
  if (!code || code.text.includes(REQUIRE_HELPER)) {
    await build({ ...options, banner: { js: banner ? `${banner}\n${requireShim}` : requireShim } });
    return;
  }
  for (const output of withoutShim.outputFiles) {
    await mkdir(dirname(output.path), { recursive: true });
    await writeFile(output.path, output.contents);
  }
}

export interface BuiltBundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
}

export function functionNames(): string[] {
  return readdirSync(join(root, 'functions')).filter((name) => statSync(join(root, 'functions', name, 'handler.ts'), { throwIfNoEntry: false })?.isFile());
}

/**
 * The SDK clients' generated schema modules (`dist-es/schemas/schemas_0.js`) spell trait keys as
 * computed keys over the module's string table: `const _xN = "xmlName"; … { [_xN]: _m }`. esbuild
 * cannot prove a computed key free of side effects (it could call a `toString`), so it keeps every
 * statement that holds one: the EC2 schema module stays at 554 KB of each 1 MB bundle, though the
 * functions use two EC2 operations (aws/aws-sdk-js-v3#7607; the generator's fix, literal keys, is
 * smithy-lang/smithy-typescript#1889). This plugin writes those keys as the string literals they
 * are, `{ "xmlName": _m }`, so the unused schemas tree-shake away. The same objects, the same
 * property order: only `[_id]:` whose `_id` is the module's own `const _id = "…";` (declared once,
 * never shadowed: the modules have no functions with parameters) is rewritten; `__proto__`, the one
 * key that means something else written literally, is left alone. Lines stay where they were, so
 * the source map still points at the SDK's lines. test/build/bundles.test.ts checks every schema
 * module exports the same schemas either way.
 */
export const SCHEMA_MODULE = /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:submodules[\\/][^\\/]+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** A string or template literal (the generated modules have no comments and no `${}`), or a key `[_id]:`. */
const TOKEN = /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.)*`)|\[(_\w+)\]:/g;

export function literalSchemaKeys(source: string): string {
  const code = source.replace(TOKEN, (token, literal?: string) => (literal === undefined ? token : '""'));
  // Only the generator's shape: nothing binds a name below the top level (no parameters, no nested
  // declarations, no catch), so each `_id` can only be the module's own constant.
  if (/\b(?:function|class|catch)\b|(?<!\(\)\s*)=>|^[ \t]+(?:const|let|var)\b|\/[/*]|\$\{/m.test(code)) return source;
  const strings = new Map<string, string>();
  for (const [, id, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) strings.set(id!, literal!);
  return source.replace(TOKEN, (token, literal: string | undefined, id: string | undefined) => {
    const key = literal === undefined && id !== undefined ? strings.get(id) : undefined;
    return key !== undefined && key !== '"__proto__"' ? `${key}:` : token;
  });
}

export const literalSchemaKeysPlugin: Plugin = {
  name: 'literal-schema-keys',
  setup(pluginBuild) {
    const cache = new Map<string, string>();
    pluginBuild.onLoad({ filter: SCHEMA_MODULE }, async ({ path }) => {
      let contents = cache.get(path);
      if (contents === undefined) {
        contents = literalSchemaKeys(await readFile(path, 'utf8'));
        cache.set(path, contents);
      }
      return { contents, loader: 'js' };
    });
  },
};

const common: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  // Stack traces need the mappings, not the sources' text: a map a quarter the size, which Node
  // parses at load under --enable-source-maps (the functions' NODE_OPTIONS).
  sourcesContent: false,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [literalSchemaKeysPlugin],
};

export async function buildAll(outdir = join(root, 'dist')): Promise<BuiltBundle[]> {
  const bundles: BuiltBundle[] = [];
  for (const name of functionNames()) {
    const file = join(outdir, 'functions', name, 'index.mjs');
    await bundle({ ...common, entryPoints: [join(root, 'functions', name, 'handler.ts')], outfile: file });
    bundles.push({ name: `functions/${name}`, file, bytes: statSync(file).size });
  }
  const cli = join(outdir, 'cli', 'ena-guard.mjs');
  await bundle({ ...common, entryPoints: [join(root, 'src', 'cli', 'bin.ts')], outfile: cli }, '#!/usr/bin/env node');
  bundles.push({ name: 'cli', file: cli, bytes: statSync(cli).size });
  return bundles;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bundles = await buildAll(process.argv[2] ?? join(root, 'dist'));
  for (const bundle of bundles) {
    console.log(`${bundle.name.padEnd(28)} ${(bundle.bytes / 1024).toFixed(1).padStart(8)} KiB  ${relative(root, bundle.file)}`);
  }
}

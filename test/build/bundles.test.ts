import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/registry.js';
import { buildAll, functionNames, literalSchemaKeys, literalSchemaKeysPlugin, SCHEMA_MODULE, type BuiltBundle } from '../../scripts/build.js';
import { ruleFolder } from '../../scripts/generate/names.js';

let bundles: BuiltBundle[] = [];
const outdir = mkdtempSync(join(tmpdir(), 'ena-guard-dist-'));
const root = fileURLToPath(new URL('../..', import.meta.url));

beforeAll(async () => {
  bundles = await buildAll(outdir);
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('esbuild bundles', () => {
  it('builds one bundle per function folder, plus the CLI', () => {
    expect(bundles.map((bundle) => bundle.name).sort()).toEqual([...functionNames().map((name) => `functions/${name}`), 'cli'].sort());
    expect(functionNames()).toContain('instance-enabled');
  });

  it.each(functionNames())('%s loads in a fresh Node process and exports a handler', (name) => {
    const bundle = bundles.find((candidate) => candidate.name === `functions/${name}`);
    expect(bundle).toBeDefined();

    const output = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(bundle!.file).href)}); console.log(typeof m.handler);`],
      { env: { ...process.env, AWS_REGION: 'eu-west-1', NODE_NO_WARNINGS: '1' }, encoding: 'utf8' },
    );

    expect(output.trim()).toBe('function');
  });

  // "AmazonSSM" is the SSM client's service name in its protocol settings (X-Amz-Target
  // AmazonSSM.<Operation>): the string is in a bundle exactly when the SSM client is.
  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s bundles the SSM client only if its rule reads inventory', (_id, rule) => {
    const bundle = bundles.find((candidate) => candidate.name === `functions/${ruleFolder(rule)}`);
    expect(bundle).toBeDefined();

    const code = readFileSync(bundle!.file, 'utf8');

    expect(/\bAmazonSSM\b/.test(code), `SSM client in ${bundle!.name}`).toBe(rule.factSources.includes('inventory'));
  });

  it.each(functionNames())('%s carries a source map beside it that leads back to the TypeScript sources', (name) => {
    const bundle = bundles.find((candidate) => candidate.name === `functions/${name}`)!;

    const code = readFileSync(bundle.file, 'utf8');
    const map = JSON.parse(readFileSync(`${bundle.file}.map`, 'utf8')) as { sources: string[] };

    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(map.sources.some((source) => source.endsWith(`functions/${name}/handler.ts`))).toBe(true);
  });

  it('maps a stack trace of a function bundle to the TypeScript file and line under --enable-source-maps, with no sources text in the map', () => {
    const bundle = bundles.find((candidate) => candidate.name === 'functions/instance-enabled')!;
    const map = JSON.parse(readFileSync(`${bundle.file}.map`, 'utf8')) as { sourcesContent?: unknown };
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle.file).href)}); try { await m.handler({}, { getRemainingTimeInMillis: () => 1000 }); } catch (error) { process.stdout.write(error.stack); }`;

    const stack = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1' }, stdio: ['ignore', 'pipe', 'ignore'] });

    expect(map.sourcesContent).toBeUndefined();
    expect(stack).toMatch(/^MalformedEventError: Malformed Config event/);
    expect(stack).toMatch(/at \w+ \(.*src\/engine\/config-event\.ts:\d+:\d+\)/);
  });

  // RunInstances is an EC2 operation no function calls: its schemas are in a bundle only if the
  // SDK's schema module was not tree-shaken (see literalSchemaKeysPlugin in scripts/build.ts).
  it.each(functionNames())('%s carries only the EC2 schemas of the operations it calls', (name) => {
    const bundle = bundles.find((candidate) => candidate.name === `functions/${name}`)!;

    const code = readFileSync(bundle.file, 'utf8');

    expect(code).toContain('"EC2Client"');
    expect(code).not.toContain('"RunInstancesRequest"');
  });

  // esbuild's `__require` helper throws 'Dynamic require of "x" is not supported' without a real
  // require in scope: the shim must be in every bundle that has the helper (and only there).
  it('puts the require shim in exactly the bundles whose code refers to require', () => {
    for (const bundle of bundles) {
      const code = readFileSync(bundle.file, 'utf8');
      expect(code.includes('__enaGuardCreateRequire('), bundle.name).toBe(code.includes('Dynamic require of "'));
    }
    expect(readFileSync(bundles.find((bundle) => bundle.name === 'cli')!.file, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('keeps the class name of every ena-guard error, as the docs and log filters spell them', () => {
    const names = [...readFileSync(join(root, 'src', 'errors.ts'), 'utf8').matchAll(/^export class (\w+)/gm)].map((match) => match[1]!);
    const code = bundles.map((bundle) => readFileSync(bundle.file, 'utf8'));

    const missing = names.filter((name) => !code.some((text) => text.includes(`"${name}"`)));

    expect(names.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it('fails a malformed Config event with the error name users see in Lambda (errorType)', () => {
    const bundle = bundles.find((candidate) => candidate.name === 'functions/instance-enabled')!;

    const output = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});
         try { await m.handler({ not: 'a Config event' }, { getRemainingTimeInMillis: () => 60000 }); console.log('no error'); }
         catch (error) { console.log(error.name + ' ' + error.constructor.name); }`,
      ],
      { env: { ...process.env, AWS_REGION: 'eu-west-1', NODE_NO_WARNINGS: '1', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' }, encoding: 'utf8' },
    );

    expect(output.trim().split('\n').at(-1)).toBe('MalformedEventError MalformedEventError');
  });
});

/** Every generated schema module of the installed SDK clients (and of the nested clients they use). */
function schemaModules(): string[] {
  const scope = join(root, 'node_modules', '@aws-sdk');
  const files: string[] = [];
  for (const pkg of readdirSync(scope)) {
    const es = join(scope, pkg, 'dist-es');
    const folders = [join(es, 'schemas'), ...(existsSync(join(es, 'submodules')) ? readdirSync(join(es, 'submodules')).map((sub) => join(es, 'submodules', sub, 'schemas')) : [])];
    for (const folder of folders) {
      if (existsSync(folder)) files.push(...readdirSync(folder).filter((file) => /^schemas_\d+\.js$/.test(file)).map((file) => join(folder, file)));
    }
  }
  return files.sort();
}

/**
 * A module's exports as plain data: schemas are nested arrays and objects whose members may be
 * thunks (`() => Other$`), followed and shown as a reference when they lead to another export;
 * classes (the modeled errors) by name; maps (the error registries) by entries; object keys in order.
 */
function exportedData(exports: Record<string, unknown>): Record<string, unknown> {
  const exportNames = new Map<unknown, string>();
  for (const [name, value] of Object.entries(exports)) if (typeof value === 'object' && value !== null) exportNames.set(value, name);
  const path = new Set<unknown>();
  const walk = (value: unknown, top: boolean): unknown => {
    if (typeof value === 'function') {
      if (value.prototype !== undefined) return { class: (value as { name: string }).name };
      return { thunk: walk((value as () => unknown)(), false) };
    }
    if (typeof value !== 'object' || value === null) return value;
    if (!top && exportNames.has(value)) return { ref: exportNames.get(value) };
    if (path.has(value)) return { cycle: true };
    path.add(value);
    try {
      if (value instanceof Map) return { map: [...value].map(([key, item]) => [walk(key, false), walk(item, false)]) };
      if (Array.isArray(value)) return value.map((item) => walk(item, false));
      return { type: (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name, entries: Object.entries(value).map(([key, item]) => [key, walk(item, false)]) };
    } finally {
      path.delete(value);
    }
  };
  return Object.fromEntries(Object.entries(exports).map(([name, value]) => [name, walk(value, true)]));
}

describe('literal schema keys (the build plugin that lets esbuild tree-shake the SDK schemas)', () => {
  const modules = schemaModules();
  const scratch = mkdtempSync(join(tmpdir(), 'ena-guard-schemas-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds the schema modules of the clients the functions use', () => {
    for (const client of ['client-ec2', 'client-config-service', 'client-ssm', 'client-dynamodb', 'client-sns']) {
      expect(modules.some((file) => file.includes(`${client}/dist-es/schemas/`)), client).toBe(true);
    }
    expect(modules.every((file) => SCHEMA_MODULE.test(file))).toBe(true);
  });

  it.each(modules.map((file) => [file.slice(file.indexOf('@aws-sdk')), file] as const))('%s: every computed key is rewritten, lines unchanged', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    const rewritten = literalSchemaKeys(source);

    expect(rewritten).not.toMatch(/\[_\w+\]:/);
    expect(rewritten.split('\n')).toHaveLength(source.split('\n').length);
  });

  it('leaves alone a module that does not have the generator\'s shape, and a __proto__ key', () => {
    expect(literalSchemaKeys('const _a = "xmlName";\nexport var X$ = [3, { [_a]: 1 }];\nfunction f(_a) { return { [_a]: 2 }; }')).toContain('[_a]:');
    expect(literalSchemaKeys('const _p = "__proto__";\nconst _a = "xmlName";\nexport var X$ = [{ [_p]: 1, [_a]: 2 }];')).toBe(
      'const _p = "__proto__";\nconst _a = "xmlName";\nexport var X$ = [{ [_p]: 1, "xmlName": 2 }];',
    );
  });

  it.each(modules.map((file) => [file.slice(file.indexOf('@aws-sdk')), file] as const))('%s exports the same schemas with and without the plugin', async (name, file) => {
    const load = async (plugins: typeof literalSchemaKeysPlugin[], label: string) => {
      const outfile = join(scratch, `${name.replace(/[^\w]+/g, '-')}-${label}.mjs`);
      await build({ entryPoints: [file], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, plugins, logLevel: 'error' });
      return exportedData((await import(pathToFileURL(outfile).href)) as Record<string, unknown>);
    };
    const original = await load([], 'original');
    const rewritten = await load([literalSchemaKeysPlugin], 'rewritten');

    expect(Object.keys(original).length).toBeGreaterThan(5);
    expect(rewritten).toEqual(original);
  }, 60_000);
});

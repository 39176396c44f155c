import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/registry.js';
import { buildAll, functionNames, type BuiltBundle } from '../../scripts/build.js';
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

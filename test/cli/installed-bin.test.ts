/**
 * The CLI the way a user installs it: `npm pack` (whose prepack builds the bundle), then
 * `npm install -g` of the tarball into a temporary prefix, offline (the dependencies come from
 * npm's cache, which `npm ci` filled), and the command run through npm's bin link. (The entry
 * point once compared import.meta.url with argv[1], which differ through the link: installed,
 * every command printed nothing and exited 0, so a CI gate built on it always passed.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingsDocument } from '../../src/cli/findings.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const work = mkdtempSync(join(tmpdir(), 'ena-guard-install-'));
const prefix = join(work, 'prefix');
const windows = process.platform === 'win32';
// npm's global layout: <prefix>/bin and <prefix>/lib/node_modules on POSIX, <prefix> and <prefix>/node_modules on Windows.
const bin = windows ? join(prefix, 'ena-guard.cmd') : join(prefix, 'bin', 'ena-guard');
const installed = windows ? join(prefix, 'node_modules', 'ena-guard') : join(prefix, 'lib', 'node_modules', 'ena-guard');
const npm = windows ? 'npm.cmd' : 'npm';

function run(command: string, args: readonly string[], cwd = work) {
  return spawnSync(command, [...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1', npm_config_update_notifier: 'false' } });
}

beforeAll(() => {
  const pack = run(npm, ['pack', '--pack-destination', work, '--silent'], root);
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball in ${work}`);
  const install = run(npm, ['install', '--global', '--prefix', prefix, join(work, tarball), '--offline', '--no-audit', '--no-fund']);
  if (install.status !== 0) throw new Error(`npm install -g of the tarball failed: ${install.stderr}`);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ena-guard installed globally from the packed tarball', () => {
  it("is linked as a bin to the package's bundle", () => {
    expect(existsSync(bin)).toBe(true);
    if (!windows) expect(realpathSync(bin)).toBe(realpathSync(join(installed, 'dist', 'cli', 'ena-guard.mjs')));
  });

  it('ships the bundle with its source map, the demo fleet, the runbooks, the findings schema, README and LICENSE, and no sources', () => {
    expect(readFileSync(join(installed, 'dist', 'cli', 'ena-guard.mjs'), 'utf8')).toMatch(/\/\/# sourceMappingURL=ena-guard\.mjs\.map\s*$/);
    for (const file of ['dist/cli/ena-guard.mjs.map', 'examples/demo-fleet/describe-instances.json', 'automation-docs/EnaGuard-EnableEnaSupport.yaml', 'schemas/findings.schema.json', 'README.md', 'LICENSE']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'dist', 'functions'))).toBe(false);
  });

  it('prints the version of its package.json', () => {
    const result = run(bin, ['--version']);

    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('runs the demo through the bin link and prints its verdicts', () => {
    const demo = run(bin, ['demo']);

    expect(demo.status).toBe(0);
    expect(demo.stdout).toMatch(/^ena-instance-enabled\s+i-0a11c0ffee0000001\s/m);
    expect(demo.stdout).toMatch(/^ena-image-enabled\s+ami-0a3c0ffee00000003\s+NON_COMPLIANT/m);
    expect(demo.stdout).toContain('Outcome: Success');
  });

  it('fails a CI gate with exit code 2 on a snapshot with findings', () => {
    const check = run(bin, ['check', '--snapshot', join(installed, 'examples', 'demo-fleet'), '--format', 'json']);

    expect(check.status).toBe(2);
    const document = JSON.parse(check.stdout) as FindingsDocument;
    expect(document.tool).toEqual({ name: 'ena-guard', version });
    expect(document.summary.NON_COMPLIANT).toBeGreaterThan(0);
    expect(document.findings).toHaveLength(document.summary.total);
  });

  it('answers a usage error with exit code 1 and one message on stderr, with a suggestion', () => {
    const wrong = run(bin, ['chek']);

    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toBe("error: unknown command 'chek'\n(Did you mean check?)\n");
  });
});

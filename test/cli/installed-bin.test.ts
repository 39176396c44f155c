/**
 * The CLI the way a user installs it: the packed tarball, installed into a prefix, run through
 * npm's bin link. (The entry point once compared import.meta.url with argv[1], which differ
 * through the link: installed, every command printed nothing and exited 0, so a CI gate built on
 * it always passed.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ena-guard-install-'));
const prefix = join(work, 'prefix');
const bin = join(prefix, 'node_modules', '.bin', 'ena-guard');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: readonly string[], cwd: string) {
  return spawnSync(command, [...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1', npm_config_update_notifier: 'false' } });
}

beforeAll(() => {
  // `npm pack` runs the prepack build, so the tarball holds what ships.
  const pack = run(npm, ['pack', '--pack-destination', work, '--silent'], root);
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball in ${work}`);
  // The dependencies come from npm's cache, which `npm ci` filled.
  const install = run(npm, ['install', '--prefix', prefix, join(work, tarball), '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], work);
  if (install.status !== 0) throw new Error(`npm install of the tarball failed: ${install.stderr}`);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ena-guard installed from the packed tarball', () => {
  it('is linked as a bin', () => {
    expect(existsSync(bin)).toBe(true);
  });

  it('runs the demo through the bin link and prints its verdicts', () => {
    // Act
    const demo = run(bin, ['demo'], work);

    // Assess
    expect(demo.status).toBe(0);
    expect(demo.stdout).toMatch(/^ena-instance-enabled\s+i-0a11c0ffee0000001\s/m);
    expect(demo.stdout).toMatch(/^ena-image-enabled\s+ami-0a3c0ffee00000003\s+NON_COMPLIANT/m);
  });

  it('fails a CI gate with the non-compliant exit code on a snapshot with findings', () => {
    // Act
    const check = run(bin, ['check', '--snapshot', join(prefix, 'node_modules', 'ena-guard', 'examples', 'demo-fleet'), '--format', 'json'], work);

    // Assess
    expect(check.status).toBe(2);
    const report = JSON.parse(check.stdout) as { summary: Record<string, number>; evaluations: unknown[] };
    expect(report.summary.NON_COMPLIANT).toBeGreaterThan(0);
    expect(report.evaluations.length).toBe(Object.values(report.summary).reduce((sum, count) => sum + count, 0));
  });

  it('answers a usage error with exit code 1 and a message on stderr', () => {
    // Act
    const wrong = run(bin, ['chek'], work);

    // Assess
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('Unknown command chek');
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSnapshotFiles } from '../../examples/demo-fleet/fleet.js';
import { buildAll } from '../../scripts/build.js';
import { DEMO_FLEET, EXIT, main } from '../../src/cli/main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let cli = '';
const outdir = mkdtempSync(join(tmpdir(), 'ena-guard-cli-'));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));
beforeAll(async () => {
  const bundles = await buildAll(outdir);
  cli = bundles.find((bundle) => bundle.name === 'cli')?.file ?? '';
}, 120_000);

function runBuiltCli(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
}

async function runInProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('the built ena-guard command', () => {
  it('evaluates a snapshot folder and exits 2 when something is NON_COMPLIANT', () => {
    const result = runBuiltCli('check', '--snapshot', join(root, 'examples/demo-fleet'));

    expect(result.status).toBe(EXIT.nonCompliant);
    expect(result.stdout).toMatch(/^RULE\s+RESOURCE\s+TYPE\s+VERDICT\s+ANNOTATION$/m);
    expect(result.stdout).toMatch(/ena-instance-enabled\s+i-0a11c0ffee0000003\s+r4\.xlarge\s+NON_COMPLIANT\s+enaSupport is false/);
    expect(result.stdout).toMatch(/^\d+ evaluations: \d+ COMPLIANT, \d+ NON_COMPLIANT, \d+ NOT_APPLICABLE, \d+ NOT_JUDGED$/m);
  });

  it('prints JSON that machines can read', () => {
    const result = runBuiltCli('check', '--snapshot', join(root, 'examples/demo-fleet'), '--format', 'json');

    const report = JSON.parse(result.stdout) as { summary: Record<string, number>; evaluations: { resourceId: string; verdict: string }[] };
    expect(report.evaluations.find((row) => row.resourceId === 'i-0a11c0ffee0000001')?.verdict).toBe('COMPLIANT');
    expect(report.summary.NON_COMPLIANT).toBeGreaterThan(0);
  });

  it('exits 1 with one line naming the broken file', () => {
    const result = runBuiltCli('check', '--snapshot', join(root, 'does-not-exist'));

    expect(result.status).toBe(EXIT.usage);
    expect(result.stderr.trim()).toBe(`${join(root, 'does-not-exist', 'describe-instances.json')}: file not found`);
    expect(result.stdout).toBe('');
  });
});

describe('ena-guard demo', () => {
  it('prints a verdict for every live instance of the demo fleet and exits 0', async () => {
    const result = await runInProcess('demo');

    expect(result.code).toBe(EXIT.ok);
    const verdicts = Object.fromEntries(
      [...result.stdout.matchAll(/^ena-instance-enabled\s+(i-\w+)\s+\S+\s+(\w+)/gm)].map((match) => [match[1], match[2]]),
    );
    expect(verdicts).toEqual({
      'i-0a11c0ffee0000001': 'COMPLIANT',
      'i-0a11c0ffee0000002': 'COMPLIANT',
      'i-0a11c0ffee0000003': 'NON_COMPLIANT',
      'i-0a11c0ffee0000004': 'NON_COMPLIANT',
      'i-0a11c0ffee0000005': 'NON_COMPLIANT',
      'i-0a11c0ffee0000006': 'NOT_APPLICABLE',
      'i-0a11c0ffee0000007': 'NOT_APPLICABLE',
      'i-0a11c0ffee0000008': 'NOT_APPLICABLE',
      'i-0a11c0ffee0000009': 'NOT_APPLICABLE',
      'i-0a11c0ffee0000011': 'NOT_JUDGED',
      'i-0a11c0ffee0000012': 'COMPLIANT',
      'i-0a11c0ffee0000013': 'NON_COMPLIANT',
      'i-0a11c0ffee0000014': 'COMPLIANT',
    });
  });

  it('judges the demo fleet\'s drivers from its SSM exports', async () => {
    const result = await runInProcess('demo');

    const verdicts = Object.fromEntries(
      [...result.stdout.matchAll(/^ena-driver-current\s+(i-\w+)\s+\S+\s+(\w+)\s+(.*)$/gm)].map((match) => [match[1], `${match[2]} ${match[3]}`]),
    );
    expect(verdicts['i-0a11c0ffee0000001']).toMatch(/^COMPLIANT kernel 6\.1\.112-124\.190\.amzn2023\.x86_64 \(in-tree ENA driver\) >= 4\.14\.186/);
    expect(verdicts['i-0a11c0ffee0000002']).toMatch(/^NON_COMPLIANT kernel 5\.4\.0-1018-aws \(in-tree ENA driver\) < 5\.4\.0-1025-aws for ubuntu 20\.04/);
    expect(verdicts['i-0a11c0ffee0000003']).toMatch(/^NON_COMPLIANT ENA driver 2\.1\.3g < 2\.10\.0 \(Linux, out-of-tree\)/);
    expect(verdicts['i-0a11c0ffee0000004']).toMatch(/^NON_COMPLIANT ENA driver unknown: no Custom:EnaDriver inventory/);
    expect(verdicts['i-0a11c0ffee0000005']).toMatch(/^NON_COMPLIANT No ENA driver in the guest/);
    expect(verdicts['i-0a11c0ffee0000012']).toMatch(/^COMPLIANT ENA driver 2\.11\.0 >= 2\.10\.0 \(Windows\)/);
    expect(verdicts['i-0a11c0ffee0000013']).toMatch(/^NON_COMPLIANT ENA driver 2\.5\.0 was rolled back/);
    expect(verdicts['i-0a11c0ffee0000014']).toMatch(/^NON_COMPLIANT ENA driver unknown: instance is not managed/);
  });

  it('still runs the other checks when a snapshot lacks the SSM exports, and says which check could not run', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ena-guard-ec2-only-'));
    for (const name of ['describe-instances.json', 'describe-instance-types.json']) {
      writeFileSync(join(directory, name), readFileSync(join(DEMO_FLEET, name)));
    }

    const result = await runInProcess('check', '--snapshot', directory);
    rmSync(directory, { recursive: true, force: true });

    expect(result.code).toBe(EXIT.nonCompliant);
    expect(result.stdout).toMatch(/^ena-instance-enabled\s+i-0a11c0ffee0000003/m);
    expect(result.stdout).not.toMatch(/^ena-driver-current/m);
    expect(result.stderr).toContain(`ena-driver-current: the sweep did not complete: MissingSnapshotFileError: ${join(directory, 'describe-instance-information.json')}: file not found`);
  });

  it('passes --param to the rule and refuses a bad one with the parameter named', async () => {
    const flagged = await runInProcess('demo', '--param', 'enaIncapableTypes=NON_COMPLIANT');
    const refused = await runInProcess('demo', '--param', 'enaIncapableTypes=SOMETIMES');

    expect(flagged.stdout).toMatch(/i-0a11c0ffee0000006\s+c4\.large\s+NON_COMPLIANT\s+.*move to an ENA-capable type/);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toContain('"enaIncapableTypes" must be NON_COMPLIANT or NOT_APPLICABLE');
  });

  it('ships snapshot files that match their typed source', () => {
    for (const [name, content] of Object.entries(demoSnapshotFiles())) {
      expect(readFileSync(join(DEMO_FLEET, name), 'utf8'), `${name} is stale: run npm run demo:snapshot`).toBe(content);
    }
  });
});

describe('usage errors', () => {
  it.each([
    [['frobnicate'], 'Unknown command frobnicate'],
    [['check'], 'check needs --snapshot DIR'],
    [['demo', '--format', 'xml'], '--format must be table, json or csv'],
    [['demo', '--param', 'novalue'], '--param must be KEY=VALUE'],
  ])('%j exits 1 and says why', async (args, message) => {
    const result = await runInProcess(...args);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(message);
  });
});

describe('--param routing', () => {
  it('refuses a parameter that no rule has, naming it and the known ones', async () => {
    const result = await runInProcess('demo', '--param', 'exemptTag=x');

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/^No rule has a parameter "exemptTag" \(known: .*exemptionTagKey.*\)\.$/);
  });

  it('sends RULE.KEY=VALUE to that rule only', async () => {
    const result = await runInProcess('demo', '--param', 'ena-instance-enabled.exemptionTagKey=Owner');

    expect(result.stdout).toMatch(/i-0a11c0ffee0000001\s+m5\.large\s+NOT_APPLICABLE\s+Exempt by tag Owner: "payments@example\.com"/);
  });
});

import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSnapshotFiles } from '../../examples/demo-fleet/fleet.js';
import { compliant, nonCompliant, notJudged, type Verdict } from '../../rules/verdict.js';
import { buildAll } from '../../scripts/build.js';
import { colourEnabled } from '../../src/cli/colour.js';
import type { EstateOptions, EstateOutcome } from '../../src/cli/estate.js';
import type { Finding, FindingsDocument, RunRecord } from '../../src/cli/findings.js';
import { OUTPUT_FORMATS } from '../../src/cli/formats/index.js';
import { DEMO_FLEET, EXIT, main, regionOfZone, type CliDeps, type CliIo } from '../../src/cli/main.js';
import type { RuleRun } from '../../src/cli/run-checks.js';
import { CredentialsError } from '../../src/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const work = mkdtempSync(join(tmpdir(), 'ena-guard-cli-'));
let cli = '';

afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  // Laid out as in the package: dist/cli/ena-guard.mjs two folders below package.json.
  copyFileSync(join(root, 'package.json'), join(work, 'package.json'));
  const bundles = await buildAll(join(work, 'dist'));
  cli = bundles.find((bundle) => bundle.name === 'cli')?.file ?? '';
}, 120_000);

function runBuiltCli(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
}

const notCalled = () => Promise.reject(new Error('not called in this test'));
const NO_AWS: CliDeps = { checkEstate: notCalled, writeSnapshot: notCalled, readAggregator: notCalled };

async function runInProcess(args: readonly string[], deps: Partial<CliDeps> = {}, io: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), now: () => new Date('2026-06-01T12:00:00Z'), ...io }, { ...NO_AWS, ...deps });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), stderrLines: err.flatMap((text) => text.split('\n')) };
}

/** A snapshot folder made of some of the demo fleet's files, `changes` applied. */
function snapshotWith(files: readonly string[], changes: Record<string, string> = {}): string {
  const directory = mkdtempSync(join(work, 'snapshot-'));
  for (const name of files) cpSync(join(DEMO_FLEET, name), join(directory, name), { recursive: true });
  for (const [name, content] of Object.entries(changes)) writeFileSync(join(directory, name), content);
  return directory;
}
const ALL_SNAPSHOT_FILES = Object.keys(demoSnapshotFiles()).map((name) => name.split('/')[0]!).filter((name, index, names) => names.indexOf(name) === index);

describe('the built ena-guard command', () => {
  it('evaluates a snapshot folder and exits 2 when something is NON_COMPLIANT', () => {
    const result = runBuiltCli('check', '--snapshot', DEMO_FLEET);

    expect(result.status).toBe(EXIT.nonCompliant);
    expect(result.stdout).toMatch(/^RULE\s+RESOURCE\s+TYPE\s+VERDICT\s+ANNOTATION$/m);
    expect(result.stdout).toMatch(/ena-instance-enabled\s+i-0a11c0ffee0000003\s+r4\.xlarge\s+NON_COMPLIANT\s+enaSupport is false/);
    expect(result.stdout).toMatch(/^\d+ evaluations: \d+ COMPLIANT, \d+ NON_COMPLIANT, \d+ NOT_APPLICABLE, \d+ NOT_JUDGED$/m);
  });

  it('prints the findings document as JSON: its version, its source, the account of the snapshot, a runbook per finding', () => {
    const result = runBuiltCli('check', '--snapshot', DEMO_FLEET, '--format', 'json');

    const document = JSON.parse(result.stdout) as FindingsDocument;
    expect(document).toMatchObject({ schemaVersion: '1.0', tool: { name: 'ena-guard', version }, source: { kind: 'snapshot', path: DEMO_FLEET } });
    const finding = document.findings.find((row) => row.rule === 'ena-instance-enabled' && row.resourceId === 'i-0a11c0ffee0000003');
    expect(finding).toMatchObject({ verdict: 'NON_COMPLIANT', accountId: '111122223333', region: 'eu-west-1', runbook: 'EnaGuard-EnableEnaSupport' });
    expect(document.findings.find((row) => row.resourceId === 'i-0a11c0ffee0000001' && row.rule === 'ena-instance-enabled')).not.toHaveProperty('runbook');
    expect(document.summary.total).toBe(document.findings.length);
  });

  it('exits 1 with one line naming the missing file', () => {
    const result = runBuiltCli('check', '--snapshot', join(root, 'does-not-exist'));

    expect(result.status).toBe(EXIT.usage);
    expect(result.stderr.trim()).toBe(`error: ${join(root, 'does-not-exist', 'describe-instances.json')}: file not found`);
    expect(result.stdout).toBe('');
  });

  it('prints the version of its package.json', () => {
    const result = runBuiltCli('--version');

    expect(result.status).toBe(EXIT.ok);
    expect(result.stdout.trim()).toBe(version);
  });
});

describe('ena-guard --version and help', () => {
  it('prints the version of package.json from the sources too', async () => {
    const result = await runInProcess(['--version']);

    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toBe(version);
  });

  it.each([[['help']], [['--help']], [['help', 'check']], [['check', '--help']]])('%j prints help on stdout and exits 0', async (args) => {
    const result = await runInProcess(args);

    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^Usage: ena-guard/);
    expect(result.stdout).toContain('Exit codes:');
    expect(result.stderr).toBe('');
  });

  it('lists the live options under their own heading in the help of check', async () => {
    const result = await runInProcess(['help', 'check']);

    expect(result.stdout).toMatch(/Live options:\n(?:.*\n)*\s+--role-arn <arn>/);
    expect(result.stdout).toMatch(/--format <format>.*\(choices: "table", "json", "csv"/s);
  });

  it('has README.md describe every output format the CLI accepts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const cliSection = readme.slice(readme.indexOf('## The CLI'), readme.indexOf('\n## ', readme.indexOf('## The CLI') + 1));

    for (const format of OUTPUT_FORMATS) expect(cliSection, `README.md's CLI section does not describe --format ${format}`).toContain(`\`${format}\``);
  });

  it('answers no command at all with the help on stderr and exit 1', async () => {
    const result = await runInProcess([]);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: ena-guard/);
  });
});

describe('ena-guard demo', () => {
  it('prints a verdict for every live instance of the demo fleet and exits 0', async () => {
    const result = await runInProcess(['demo']);

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
    expect(result.stdout).toContain('Simulated EnaGuard-EnableEnaSupport (nothing in AWS was called)');
  });

  it("judges the demo fleet's drivers from its SSM exports", async () => {
    const result = await runInProcess(['demo']);

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

  it('says on stderr, once per rule, which resources it could not judge and why', async () => {
    const result = await runInProcess(['demo']);

    const why = 'ENA capability of instance type m9z.large is unknown (DescribeInstanceTypes does not list it here): not judged. (i-0a11c0ffee0000011)';
    expect(result.stderrLines).toEqual([
      `ena-instance-enabled: 1 of 13 resources not judged: ${why}`,
      `ena-driver-current: 1 of 13 resources not judged: ${why}`,
      `ena-express-enabled: 1 of 13 resources not judged: ${why}`,
    ]);
  });

  it('passes --param to the rule and refuses a bad one with the parameter named', async () => {
    const flagged = await runInProcess(['demo', '--param', 'enaIncapableTypes=NON_COMPLIANT']);
    const refused = await runInProcess(['demo', '--param', 'enaIncapableTypes=SOMETIMES']);

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

describe('check --snapshot with files missing or broken', () => {
  it('still runs the other checks when the SSM exports are missing, and says which check could not run', async () => {
    const directory = snapshotWith(['describe-instances.json', 'describe-instance-types.json']);

    const result = await runInProcess(['check', '--snapshot', directory]);

    expect(result.code).toBe(EXIT.nonCompliant);
    expect(result.stdout).toMatch(/^ena-instance-enabled\s+i-0a11c0ffee0000003/m);
    expect(result.stdout).not.toMatch(/^ena-driver-current/m);
    expect(result.stderrLines.filter((line) => line.startsWith('ena-driver-current'))).toEqual([
      `ena-driver-current: did not complete: MissingSnapshotFileError: ${join(directory, 'describe-instance-information.json')}: file not found`,
    ]);
  });

  it('names the missing instance-types file once for each check that could not judge without it', async () => {
    const directory = snapshotWith(ALL_SNAPSHOT_FILES.filter((name) => name !== 'describe-instance-types.json'));

    const result = await runInProcess(['check', '--snapshot', directory]);

    const missing = `MissingSnapshotFileError: ${join(directory, 'describe-instance-types.json')}: file not found`;
    expect(result.stderrLines).toEqual([
      `ena-instance-enabled: 13 of 13 resources not judged: ${missing}`,
      `ena-driver-current: 13 of 13 resources not judged: ${missing}`,
      `ena-express-enabled: 13 of 13 resources not judged: ${missing}`,
    ]);
    // The image rule does not need the file and still found something.
    expect(result.code).toBe(EXIT.nonCompliant);
  });

  it('names a corrupt inventory file of one instance on stderr, in the one line of its check', async () => {
    const directory = snapshotWith(ALL_SNAPSHOT_FILES, { 'inventory/i-0a11c0ffee0000001.json': '{not json' });

    const result = await runInProcess(['check', '--snapshot', directory]);

    const driverLines = result.stderrLines.filter((line) => line.startsWith('ena-driver-current'));
    expect(driverLines).toHaveLength(1);
    expect(driverLines[0]).toMatch(/^ena-driver-current: 2 of 13 resources not judged, e\.g\. i-0a11c0ffee0000001: .*inventory\/i-0a11c0ffee0000001\.json: is not valid JSON/);
  });

  it('exits 1 naming a describe-instances.json that is not JSON', async () => {
    const directory = snapshotWith(ALL_SNAPSHOT_FILES, { 'describe-instances.json': '{"Reservations": [' });

    const result = await runInProcess(['check', '--snapshot', directory]);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderrLines[0]).toMatch(/^error: .*\/describe-instances\.json: is not valid JSON/);
    expect(result.stdout).toBe('');
  });

  it('leaves the account empty when the export has no OwnerId', async () => {
    const instances = JSON.parse(readFileSync(join(DEMO_FLEET, 'describe-instances.json'), 'utf8')) as { Reservations: Record<string, unknown>[] };
    const withoutOwner = { Reservations: instances.Reservations.map(({ OwnerId: _owner, ...reservation }) => reservation) };
    const directory = snapshotWith(ALL_SNAPSHOT_FILES, { 'describe-instances.json': JSON.stringify(withoutOwner) });

    const result = await runInProcess(['check', '--snapshot', directory, '--format', 'json']);

    const document = JSON.parse(result.stdout) as FindingsDocument;
    expect(new Set(document.findings.map((finding) => finding.accountId))).toEqual(new Set(['']));
  });
});

describe('usage errors', () => {
  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['chek'], '(Did you mean check?)'],
    [['demo', '--frmat', 'json'], '(Did you mean --format?)'],
    [['check'], 'check needs --snapshot DIR'],
    [['check', '--snapshot', DEMO_FLEET, '--live'], "option '--snapshot <dir>' cannot be used with option '--live'"],
    [['check', '--live', '--region', 'eu-west-1', '--all-regions'], "option '--region <region>' cannot be used with option '--all-regions'"],
    [['check', '--live', '--accounts', 'ids.txt', '--organization'], "option '--accounts <file>' cannot be used with option '--organization'"],
    [['demo', '--format', 'xml'], "option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json, csv"],
    [['simulate', 'EnaGuard-EnableEnaSupport', '--snapshot', DEMO_FLEET, '--format', 'csv'], 'Allowed choices are table, json.'],
    [['check', '--snapshot', DEMO_FLEET, '--fail-on', 'sometimes'], 'Allowed choices are any, non-compliant, none.'],
    [['demo', '--param', 'novalue'], "option '--param <key=value>' argument 'novalue' is invalid. Expected KEY=VALUE."],
    [['check', '--live', '--concurrency', '0'], 'Expected an integer from 1 to 32.'],
    [['check', '--live', '--concurrency', '33'], 'Expected an integer from 1 to 32.'],
    [['check', '--live', '--concurrency', '2.5'], 'Expected an integer from 1 to 32.'],
    [['snapshot'], "required option '--out <dir>' not specified"],
    [['report'], "required option '--aggregator <name>' not specified"],
  ])('%j exits 1 with one message on stderr', async (args, message) => {
    const result = await runInProcess(args);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(message);
    expect(result.stderr.match(/^error: /gm)).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it.each([
    ['--profile', 'audit'],
    ['--role-arn', 'arn:aws:iam::111122223333:role/EnaGuardAudit'],
    ['--role-name', 'EnaGuardAudit'],
    ['--accounts', 'ids.txt'],
    ['--external-id', 'x'],
    ['--organization'],
    ['--region', 'eu-west-1'],
    ['--all-regions'],
    ['--concurrency', '8'],
  ])('refuses the live-only %s with --snapshot, naming it', async (flag, ...value) => {
    const result = await runInProcess(['check', '--snapshot', DEMO_FLEET, flag, ...value]);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^error: option '--snapshot <dir>' cannot be used with option '${flag}[ '<]`));
  });
});

describe('ena-guard simulate --fault', () => {
  const args = ['simulate', 'EnaGuard-EnableEnaSupport', '--snapshot', DEMO_FLEET, '--param', 'InstanceId=i-0a11c0ffee0000003'];

  it('injects each fault given and exits 4 when the runbook then fails', async () => {
    const result = await runInProcess([...args, '--fault', 'ec2:StopInstances=InternalError', '--fault', 'ec2:StartInstances=InsufficientInstanceCapacity']);

    expect(result.code).toBe(EXIT.simulationFailed);
    expect(result.stdout).toMatch(/^Outcome: Failed - Step stopInstance failed: .*Injected fault: InternalError on ec2:StopInstances/m);
  });

  it('refuses a malformed fault with exit 1', async () => {
    const result = await runInProcess([...args, '--fault', 'not a fault!']);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderrLines).toEqual([expect.stringMatching(/^error: Fault "not a fault!" is malformed/)]);
  });
});

describe('--param routing', () => {
  it('refuses a parameter that no rule has, naming it and the known ones', async () => {
    const result = await runInProcess(['demo', '--param', 'exemptTag=x']);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/^error: No rule has a parameter "exemptTag" \(known: .*exemptionTagKey.*\)\.$/);
  });

  it('sends RULE.KEY=VALUE to that rule only', async () => {
    const result = await runInProcess(['demo', '--param', 'ena-instance-enabled.exemptionTagKey=Owner']);

    expect(result.stdout).toMatch(/i-0a11c0ffee0000001\s+m5\.large\s+NOT_APPLICABLE\s+Exempt by tag Owner: "payments@example\.com"/);
  });
});

// -------------------------------------------------------------------------------------------------
// Live checks, through checkEstate's contract (the estate itself is tested against moto in test/e2e).

const ACCOUNT = '111122223333';

function run(rule: string, region: string, verdicts: readonly [string, Verdict][], extra: Partial<RuleRun> = {}) {
  return {
    ruleName: rule,
    accountId: ACCOUNT,
    region,
    complete: true,
    results: verdicts.map(([resourceId, verdict]) => ({ resourceType: 'AWS::EC2::Instance', resourceId, verdict, details: { instanceType: 'm5.large' } })),
    ...extra,
  };
}

function estate(outcome: EstateOutcome | Error) {
  const calls: EstateOptions[] = [];
  const checkEstate = (options: EstateOptions) => {
    calls.push(options);
    return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
  };
  return { calls, checkEstate };
}

describe('check --live', () => {
  it('hands every live flag to checkEstate', async () => {
    const fake = estate({ runs: [run('ena-instance-enabled', 'eu-west-1', [['i-1', compliant('ENA is enabled.')]])], failures: [] });

    await runInProcess(
      ['check', '--live', '--profile', 'audit', '--role-name', 'EnaGuardAudit', '--organization', '--external-id', 'ext', '--region', 'eu-west-1', '--region', 'us-east-1', '--concurrency', '8', '--param', 'exemptionTagKey=Owner'],
      { checkEstate: fake.checkEstate },
    );

    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({
      profile: 'audit',
      roleName: 'EnaGuardAudit',
      organization: true,
      externalId: 'ext',
      regions: ['eu-west-1', 'us-east-1'],
      concurrency: 8,
      parameters: { exemptionTagKey: 'Owner' },
    });
    expect(fake.calls[0]?.now().toISOString()).toBe('2026-06-01T12:00:00.000Z');
  });

  it('defaults to four targets at once and the profile\'s Region', async () => {
    const fake = estate({ runs: [run('ena-instance-enabled', 'eu-west-1', [['i-1', compliant('ENA is enabled.')]])], failures: [] });

    await runInProcess(['check', '--live'], { checkEstate: fake.checkEstate });

    expect(fake.calls[0]).toMatchObject({ regions: [], concurrency: 4 });
  });

  it('exits 0 when every resource is judged and nothing is NON_COMPLIANT, and labels rows with their Region', async () => {
    const fake = estate({ runs: [run('ena-instance-enabled', 'eu-west-1', [['i-1', compliant('ENA is enabled.')]])], failures: [] });

    const result = await runInProcess(['check', '--live', '--format', 'json'], { checkEstate: fake.checkEstate });

    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toBe('');
    const document = JSON.parse(result.stdout) as FindingsDocument;
    expect(document).toMatchObject({ source: { kind: 'live' }, generatedAt: '2026-06-01T12:00:00.000Z', runs: [{ rule: 'ena-instance-enabled', accountId: ACCOUNT, region: 'eu-west-1', complete: true }] });
    expect(document.findings[0]).toMatchObject({ accountId: ACCOUNT, region: 'eu-west-1', verdict: 'COMPLIANT' });
  });

  it('exits 2 on a NON_COMPLIANT resource and names the runbook from the rule declaration', async () => {
    const fake = estate({ runs: [run('ena-instance-enabled', 'eu-west-1', [['i-1', nonCompliant('enaSupport is false.')]])], failures: [] });

    const result = await runInProcess(['check', '--live', '--format', 'json'], { checkEstate: fake.checkEstate });

    expect(result.code).toBe(EXIT.nonCompliant);
    expect((JSON.parse(result.stdout) as FindingsDocument).findings[0]?.runbook).toBe('EnaGuard-EnableEnaSupport');
  });

  it('exits 3 when a resource could not be judged, saying which rule, where and why', async () => {
    const fake = estate({ runs: [run('ena-driver-current', 'eu-west-1', [['i-1', compliant('ok')], ['i-2', notJudged('ListInventoryEntries failed: ThrottlingException')]])], failures: [] });

    const result = await runInProcess(['check', '--live'], { checkEstate: fake.checkEstate });

    expect(result.code).toBe(EXIT.incomplete);
    expect(result.stderrLines).toEqual([`ena-driver-current (${ACCOUNT} eu-west-1): 1 of 2 resources not judged: ListInventoryEntries failed: ThrottlingException (i-2)`]);
  });

  it('exits 3 when a check did not complete', async () => {
    const error = new Error('DescribeInstances failed');
    const fake = estate({ runs: [run('ena-instance-enabled', 'us-east-1', [], { complete: false, error })], failures: [] });

    const result = await runInProcess(['check', '--live'], { checkEstate: fake.checkEstate });

    expect(result.code).toBe(EXIT.incomplete);
    expect(result.stderrLines).toEqual([`ena-instance-enabled (${ACCOUNT} us-east-1): did not complete: Error: DescribeInstances failed`]);
  });

  it('exits 3 when a target could not be checked, and records it in the document', async () => {
    const fake = estate({
      runs: [run('ena-instance-enabled', 'eu-west-1', [['i-1', compliant('ok')]])],
      failures: [{ accountId: '444455556666', region: 'eu-west-1', error: 'AccessDenied: not authorized to perform sts:AssumeRole' }],
    });

    const result = await runInProcess(['check', '--live', '--format', 'json'], { checkEstate: fake.checkEstate });

    expect(result.code).toBe(EXIT.incomplete);
    expect(result.stderrLines).toEqual(['444455556666 eu-west-1: could not be checked: AccessDenied: not authorized to perform sts:AssumeRole']);
    const failed = (JSON.parse(result.stdout) as FindingsDocument).runs.filter((record: RunRecord) => record.accountId === '444455556666');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((record) => !record.complete && record.error?.startsWith('AccessDenied'))).toBe(true);
  });

  it('exits 5 when no target could be checked', async () => {
    const fake = estate({ runs: [], failures: [{ accountId: ACCOUNT, region: 'eu-west-1', error: 'UnrecognizedClientException' }] });

    const result = await runInProcess(['check', '--live'], { checkEstate: fake.checkEstate });

    expect(result.code).toBe(EXIT.aws);
    expect(result.stdout).toBe('');
    expect(result.stderrLines).toEqual([`${ACCOUNT} eu-west-1: could not be checked: UnrecognizedClientException`, 'error: no account and Region could be checked']);
  });

  it('exits 5 on a CredentialsError, with its message', async () => {
    const fake = estate(new CredentialsError('No AWS credentials: set AWS_PROFILE or run aws sso login.'));

    const result = await runInProcess(['check', '--live'], { checkEstate: fake.checkEstate });

    expect(result.code).toBe(EXIT.aws);
    expect(result.stderrLines).toEqual(['error: No AWS credentials: set AWS_PROFILE or run aws sso login.']);
  });
});

describe('--fail-on', () => {
  const incomplete = () => estate({ runs: [run('ena-instance-enabled', 'eu-west-1', [['i-1', notJudged('unknown type')]])], failures: [] });
  const findings = () => estate({ runs: [run('ena-instance-enabled', 'eu-west-1', [['i-1', nonCompliant('off')], ['i-2', notJudged('unknown type')]])], failures: [] });

  it('non-compliant: exits 0 for an incomplete run, with a warning', async () => {
    const result = await runInProcess(['check', '--live', '--fail-on', 'non-compliant'], { checkEstate: incomplete().checkEstate });

    expect(result.code).toBe(EXIT.ok);
    expect(result.stderrLines.at(-1)).toBe('warning: the run is incomplete (see above); --fail-on non-compliant exits 0 for it');
  });

  it('non-compliant: still exits 2 on findings', async () => {
    const result = await runInProcess(['check', '--live', '--fail-on', 'non-compliant'], { checkEstate: findings().checkEstate });

    expect(result.code).toBe(EXIT.nonCompliant);
  });

  it('none: exits 0 whenever it ran', async () => {
    const result = await runInProcess(['check', '--live', '--fail-on', 'none'], { checkEstate: findings().checkEstate });

    expect(result.code).toBe(EXIT.ok);
  });

  it('none: still exits 5 when nothing could be checked', async () => {
    const fake = estate(new CredentialsError('AWS refused the credentials'));

    const result = await runInProcess(['check', '--live', '--fail-on', 'none'], { checkEstate: fake.checkEstate });

    expect(result.code).toBe(EXIT.aws);
  });
});

describe('--output', () => {
  it('writes the report to the file and only the summary line to stdout', async () => {
    const file = join(work, 'report.json');

    const result = await runInProcess(['check', '--snapshot', DEMO_FLEET, '--format', 'json', '--output', file]);

    expect(result.code).toBe(EXIT.nonCompliant);
    const document = JSON.parse(readFileSync(file, 'utf8')) as FindingsDocument;
    expect(result.stdout).toBe(`${document.summary.total} evaluations: ${document.summary.COMPLIANT} COMPLIANT, ${document.summary.NON_COMPLIANT} NON_COMPLIANT, ${document.summary.NOT_APPLICABLE} NOT_APPLICABLE, ${document.summary.NOT_JUDGED} NOT_JUDGED (report written to ${file})`);
  });

  it('exits 1 naming a file it cannot write', async () => {
    const file = join(work, 'no-such-folder', 'report.json');

    const result = await runInProcess(['check', '--snapshot', DEMO_FLEET, '--output', file]);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderrLines.filter((line) => line.startsWith('error:'))).toEqual([`error: --output ${file}: cannot write the report (ENOENT)`]);
  });
});

describe('ena-guard snapshot', () => {
  it('writes the snapshot with the options given and says where', async () => {
    const calls: unknown[] = [];
    const writeSnapshot: CliDeps['writeSnapshot'] = (options) => {
      calls.push(options);
      return Promise.resolve({ files: ['describe-instances.json', 'describe-instance-types.json'], accountId: ACCOUNT, region: 'eu-west-1' });
    };

    const result = await runInProcess(['snapshot', '--out', '/tmp/fleet', '--profile', 'audit', '--region', 'eu-west-1'], { writeSnapshot });

    expect(result.code).toBe(EXIT.ok);
    expect(calls).toEqual([{ out: '/tmp/fleet', profile: 'audit', region: 'eu-west-1' }]);
    expect(result.stdout).toBe(`Wrote 2 files to /tmp/fleet (account ${ACCOUNT}, eu-west-1).`);
  });

  it('exits 5 when AWS refuses the credentials', async () => {
    const writeSnapshot: CliDeps['writeSnapshot'] = () => Promise.reject(new CredentialsError('AWS refused the credentials of profile audit'));

    const result = await runInProcess(['snapshot', '--out', '/tmp/fleet'], { writeSnapshot });

    expect(result.code).toBe(EXIT.aws);
    expect(result.stderrLines).toEqual(['error: AWS refused the credentials of profile audit']);
  });
});

describe('ena-guard report', () => {
  const finding: Finding = { rule: 'ena-image-enabled', accountId: ACCOUNT, region: 'eu-west-1', resourceType: 'AWS::EC2::Image', resourceId: 'ami-1', subject: '', verdict: 'NON_COMPLIANT', annotation: 'The AMI lacks ENA.', reasons: [] };

  it('renders the aggregator\'s findings like check, and exits 2 on NON_COMPLIANT', async () => {
    const calls: unknown[] = [];
    const readAggregator: CliDeps['readAggregator'] = (options) => {
      calls.push(options);
      return Promise.resolve({ findings: [finding], runs: [{ rule: 'ena-image-enabled', accountId: ACCOUNT, region: 'eu-west-1', complete: true }] });
    };

    const result = await runInProcess(['report', '--aggregator', 'org', '--region', 'eu-west-1', '--name-prefix', 'prod-', '--format', 'json'], { readAggregator });

    expect(result.code).toBe(EXIT.nonCompliant);
    expect(calls).toEqual([{ name: 'org', profile: undefined, region: 'eu-west-1', namePrefix: 'prod-' }]);
    expect(JSON.parse(result.stdout)).toMatchObject({ source: { kind: 'aggregator', name: 'org' }, summary: { NON_COMPLIANT: 1, total: 1 } });
  });

  it('exits 5 on an AWS service error', async () => {
    const readAggregator: CliDeps['readAggregator'] = () => Promise.reject(new ExpiredTokenException({ message: 'The security token included in the request is expired', $metadata: {} }));

    const result = await runInProcess(['report', '--aggregator', 'org'], { readAggregator });

    expect(result.code).toBe(EXIT.aws);
    expect(result.stderrLines).toEqual(['error: ExpiredTokenException: The security token included in the request is expired']);
  });
});

describe('colour', () => {
  it.each([
    [{ flag: true, env: {}, isTTY: true }, true],
    [{ flag: true, env: {}, isTTY: false }, false],
    [{ flag: false, env: {}, isTTY: true }, false],
    [{ flag: true, env: { NO_COLOR: '1' }, isTTY: true }, false],
    [{ flag: true, env: { NO_COLOR: 'yes' }, isTTY: true }, false],
    [{ flag: true, env: { NO_COLOR: '' }, isTTY: true }, true],
    [{ flag: true, env: { FORCE_COLOR: '1' }, isTTY: false }, true],
    [{ flag: true, env: { FORCE_COLOR: '0' }, isTTY: true }, false],
    [{ flag: true, env: { FORCE_COLOR: '1', NO_COLOR: '1' }, isTTY: true }, false],
    [{ flag: false, env: { FORCE_COLOR: '1' }, isTTY: true }, false],
  ])('%j: %s', (context, expected) => {
    expect(colourEnabled(context)).toBe(expected);
  });

  const ESC = '\u001b[';

  it('colours the verdicts of the table on a terminal', async () => {
    const result = await runInProcess(['demo'], {}, { stdoutIsTTY: true, env: {} });

    const line = result.stdout.split('\n').find((candidate) => candidate.startsWith('ena-instance-enabled  i-0a11c0ffee0000003 '));
    // The verdict word is wrapped in escape codes; the rest of the line is not.
    expect(line).toMatch(new RegExp(`r4\\.xlarge\\s+${ESC.replace('[', '\\[')}[\\d;]+mNON_COMPLIANT${ESC.replace('[', '\\[')}\\d+m\\s+enaSupport is false`));
  });

  it.each([
    ['off a terminal', ['demo'], { stdoutIsTTY: false, env: {} }],
    ['with NO_COLOR', ['demo'], { stdoutIsTTY: true, env: { NO_COLOR: '1' } }],
    ['with --no-color', ['demo', '--no-color'], { stdoutIsTTY: true, env: {} }],
    ['in JSON', ['demo', '--format', 'json'], { stdoutIsTTY: true, env: { FORCE_COLOR: '1' } }],
  ] as const)('never %s', async (_name, args, io) => {
    const result = await runInProcess(args, {}, io);

    expect(result.stdout).not.toContain(ESC);
  });

  it('FORCE_COLOR=1 colours off a terminal', async () => {
    const result = await runInProcess(['demo'], {}, { stdoutIsTTY: false, env: { FORCE_COLOR: '1' } });

    expect(result.stdout).toContain(ESC);
  });

  it('never colours a report written to a file', async () => {
    const file = join(work, 'report.txt');

    await runInProcess(['check', '--snapshot', DEMO_FLEET, '--output', file], {}, { stdoutIsTTY: true, env: { FORCE_COLOR: '1' } });

    expect(readFileSync(file, 'utf8')).not.toContain(ESC);
  });
});

describe('the place of a snapshot', () => {
  it.each([
    ['eu-west-1a', 'eu-west-1'],
    ['us-gov-west-1b', 'us-gov-west-1'],
    ['cn-north-1a', 'cn-north-1'],
    ['us-west-2-lax-1a', 'us-west-2'],
    ['us-east-1-wl1-bos-wlz-1', 'us-east-1'],
    ['eu-west-1', ''],
    ['', ''],
    [undefined, ''],
  ])('reads the Region of the zone %s as %j', (zone, region) => {
    expect(regionOfZone(zone)).toBe(region);
  });

  it('gives a snapshot\'s findings the account and Region it was exported from, so that they import into Security Hub as ASFF', async () => {
    const result = await runInProcess(['check', '--snapshot', DEMO_FLEET, '--format', 'asff']);

    const findings = JSON.parse(result.stdout) as { AwsAccountId: string; Region: string; ProductArn: string }[];
    expect(result.code).toBe(EXIT.nonCompliant);
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((finding) => `${finding.AwsAccountId} ${finding.Region}`))).toEqual(new Set(['111122223333 eu-west-1']));
    expect(findings[0]!.ProductArn).toBe('arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default');
  });
});

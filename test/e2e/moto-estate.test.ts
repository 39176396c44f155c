/**
 * checkEstate end to end over real HTTP against moto: two Regions of the caller's account, and a
 * second account reached by assuming a role (moto derives the account from the role ARN, and
 * answers later calls signed with the assumed credentials as that account). Failure attribution,
 * denied roles and missing credentials are not something moto can produce: the unit tests
 * (test/cli/estate.test.ts) cover them.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand, type _InstanceType } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEstate, type EstateOptions, type EstateProgress } from '../../src/cli/estate.js';
import { findingsOf } from '../../src/cli/findings.js';
import { main } from '../../src/cli/main.js';
import { silentLog } from '../../src/engine/ports.js';
import { startMoto, type Moto } from '../support/moto.js';
import { toolAvailable } from '../support/tools.js';

const hasMoto = toolAvailable('moto_server', ['--help']);
const OWN_ACCOUNT = '123456789012';
const MEMBER_ACCOUNT = '222222222222';
const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

let moto: Moto | undefined;
let folder = '';
const launched: Record<string, string> = {};

async function launch(label: string, region: string, type: string, credentials = KEYS): Promise<void> {
  const ec2 = new EC2Client({ region, endpoint: moto!.endpoint, credentials });
  const image = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images?.[0]?.ImageId;
  const response = await ec2.send(new RunInstancesCommand({ ImageId: image, InstanceType: type as _InstanceType, MinCount: 1, MaxCount: 1 }));
  launched[label] = response.Instances?.[0]?.InstanceId ?? '';
}

function options(overrides: Partial<EstateOptions>): EstateOptions {
  return { regions: ['eu-west-1', 'us-east-1'], concurrency: 2, parameters: {}, log: silentLog, now: () => new Date('2026-01-15T00:00:00Z'), ...overrides };
}

/** The instance rule's findings as "account/region/instance verdict" lines. */
function instanceVerdicts(runs: Parameters<typeof findingsOf>[0]): string[] {
  return findingsOf(runs)
    .filter((finding) => finding.rule === 'ena-instance-enabled')
    .map((finding) => `${finding.accountId}/${finding.region}/${finding.resourceId} ${finding.verdict}`)
    .sort();
}

describe.skipIf(!hasMoto)('checkEstate against moto (requires moto_server)', () => {
  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ACCESS_KEY_ID = KEYS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = KEYS.secretAccessKey;
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    folder = await mkdtemp(join(tmpdir(), 'ena-guard-estate-'));
    await launch('own/eu-west-1/m5', 'eu-west-1', 'm5.large');
    await launch('own/eu-west-1/c4', 'eu-west-1', 'c4.large');
    await launch('own/us-east-1/r4', 'us-east-1', 'r4.large');
    // The member account's instance, launched with credentials of a role in that account.
    const sts = new STSClient({ region: 'eu-west-1', endpoint: moto.endpoint, credentials: KEYS });
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/OrganizationAccountAccessRole`, RoleSessionName: 'setup' }));
    const member = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
    await launch('member/us-east-1/m5', 'us-east-1', 'm5.large', member);
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    delete process.env.AWS_ENDPOINT_URL;
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('checks both Regions of the caller account, with the account id STS gives', async () => {
    const events: EstateProgress[] = [];

    const outcome = await checkEstate(options({ progress: (event) => events.push(event) }));

    expect(outcome.failures).toEqual([]);
    expect(instanceVerdicts(outcome.runs)).toEqual(
      [
        `${OWN_ACCOUNT}/eu-west-1/${launched['own/eu-west-1/m5']} NON_COMPLIANT`,
        `${OWN_ACCOUNT}/eu-west-1/${launched['own/eu-west-1/c4']} NOT_APPLICABLE`,
        `${OWN_ACCOUNT}/us-east-1/${launched['own/us-east-1/r4']} NON_COMPLIANT`,
      ].sort(),
    );
    expect(events.filter((event) => event.kind === 'target-started').map((event) => event.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    // moto does not serve DescribeInstanceInformation: the driver rule is incomplete, the others are not.
    const driver = outcome.runs.filter((run) => run.ruleName === 'ena-driver-current');
    expect(driver.map((run) => run.complete)).toEqual([false, false]);
    expect(outcome.runs.filter((run) => run.ruleName === 'ena-instance-enabled').every((run) => run.complete)).toBe(true);
  });

  it('reaches a second account by assuming the role an --accounts file names, and labels each finding with its account', async () => {
    const file = join(folder, 'accounts.txt');
    await writeFile(file, `# estate\n${OWN_ACCOUNT}\n${MEMBER_ACCOUNT}  # member\n`);

    const outcome = await checkEstate(options({ accountsFile: file, externalId: 'audit-2026' }));

    expect(outcome.failures).toEqual([]);
    const verdicts = instanceVerdicts(outcome.runs);
    expect(verdicts).toContain(`${MEMBER_ACCOUNT}/us-east-1/${launched['member/us-east-1/m5']} NON_COMPLIANT`);
    expect(verdicts.filter((line) => line.startsWith(`${MEMBER_ACCOUNT}/`))).toHaveLength(1);
    expect(verdicts.filter((line) => line.startsWith(`${OWN_ACCOUNT}/`))).toHaveLength(3);
  });

  it('checks the account of --role-arn only', async () => {
    const outcome = await checkEstate(options({ roleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/EnaGuardAudit`, externalId: 'audit-2026', regions: ['us-east-1'] }));

    expect(instanceVerdicts(outcome.runs)).toEqual([`${MEMBER_ACCOUNT}/us-east-1/${launched['member/us-east-1/m5']} NON_COMPLIANT`]);
  });

  it('gives the same instance verdicts through `ena-guard check --live` as checkEstate', async () => {
    const out: string[] = [];
    const estate = await checkEstate(options({}));

    await main(['check', '--live', '--region', 'eu-west-1', '--region', 'us-east-1', '--format', 'json'], { stdout: (text) => out.push(text), stderr: () => {} });

    // The findings document (or, before the CLI rewrite lands, the old report's rows).
    const report = JSON.parse(out.join('\n')) as { findings?: Row[]; evaluations?: Row[] };
    const rows = (report.findings ?? report.evaluations ?? []).filter((row) => row.rule === 'ena-instance-enabled');
    expect(rows.map((row) => `${row.region}/${row.resourceId} ${row.verdict}`).sort()).toEqual(
      findingsOf(estate.runs)
        .filter((finding) => finding.rule === 'ena-instance-enabled')
        .map((finding) => `${finding.region}/${finding.resourceId} ${finding.verdict}`)
        .sort(),
    );
  });
});

interface Row {
  readonly rule: string;
  readonly region: string;
  readonly resourceId: string;
  readonly verdict: string;
}

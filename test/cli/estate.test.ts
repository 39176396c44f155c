/**
 * checkEstate over mocked SDK clients: which accounts and Regions it checks, with which
 * credentials, how many at once, and what it says when some or all cannot be reached. The moto
 * end-to-end test (test/e2e/moto-estate.test.ts) runs the same code over real HTTP.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeRegionsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AssumeRoleCommand, STSClient as CredentialProviderStsClient, STSServiceException } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_NAME, checkEstate, parseAccountsFile, type EstateOptions, type EstateProgress } from '../../src/cli/estate.js';
import { silentLog } from '../../src/engine/ports.js';
import { CredentialsError, EnaGuardError } from '../../src/errors.js';
import { sdkInstance, sdkInstanceType } from '../support/instances.js';

const stsMock = mockClient(STSClient);
const assumeMock = mockClient(CredentialProviderStsClient);
const organizationsMock = mockClient(OrganizationsClient);
const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);

const CALLER = '111111111111';
const callerKeys = async () => ({ accessKeyId: `AKIA${CALLER}`, secretAccessKey: 'secret' });

let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ena-guard-estate-unit-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The account whose credentials signed a call: the mocks hand out keys named after their account. */
async function accountOf(getClient: () => { config: { credentials: () => Promise<{ accessKeyId: string }> } }): Promise<string> {
  return (await getClient().config.credentials()).accessKeyId.slice(4);
}

function accessDenied(message: string): STSServiceException {
  return new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message });
}

/** An account whose one instance is named after its account and Region, so each finding says where it came from. */
function serveAccounts(options: { disabledRegions?: readonly string[]; delayMs?: number } = {}) {
  stsMock.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient as never);
    return { Account: account, Arn: `arn:aws:iam::${account}:user/auditor`, UserId: 'AIDA' };
  });
  assumeMock.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
    const account = input.RoleArn.split(':')[4]!;
    return { Credentials: { AccessKeyId: `ASIA${account}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } };
  });
  ec2Mock.on(DescribeInstancesCommand).callsFake(async (_input, getClient) => {
    const client = (getClient as () => EC2Client)();
    const region = await client.config.region();
    if (options.disabledRegions?.includes(region)) {
      throw new EC2ServiceException({ name: 'AuthFailure', $fault: 'client', $metadata: {}, message: 'AWS was not able to validate the provided access credentials' });
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const account = await accountOf(getClient as never);
    return { Reservations: [{ OwnerId: account, Instances: [sdkInstance(1, { InstanceId: `i-${account}`, Tags: [{ Key: 'Name', Value: `${account}/${region}` }] })] }] };
  });
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [sdkInstanceType('m5.large', 'required')] });
  for (const command of [DescribeImagesCommand, DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand] as const) {
    ec2Mock.on(command as never).callsFake(async (_input: unknown, getClient: () => EC2Client) => {
      const region = await getClient().config.region();
      if (options.disabledRegions?.includes(region)) {
        throw new EC2ServiceException({ name: 'AuthFailure', $fault: 'client', $metadata: {}, message: 'AWS was not able to validate the provided access credentials' });
      }
      return {};
    });
  }
  ssmMock.on(DescribeInstanceInformationCommand).callsFake(async (_input, getClient) => {
    const region = await (getClient as () => SSMClient)().config.region();
    if (options.disabledRegions?.includes(region)) throw Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' });
    return { InstanceInformationList: [] };
  });
}

function options(overrides: Partial<EstateOptions> = {}): EstateOptions {
  return { regions: ['eu-west-1'], concurrency: 4, parameters: {}, log: silentLog, now: () => new Date('2026-01-15T00:00:00Z'), credentials: callerKeys, env: {}, ...overrides };
}

/** "account/region" of every ena-instance-enabled run, as labelled. */
function targetsOf(outcome: Awaited<ReturnType<typeof checkEstate>>): string[] {
  return outcome.runs.filter((run) => run.ruleName === 'ena-instance-enabled').map((run) => `${run.accountId}/${run.region}`);
}

beforeEach(() => {
  stsMock.reset();
  assumeMock.reset();
  organizationsMock.reset();
  ec2Mock.reset();
  ssmMock.reset();
});

describe('parseAccountsFile', () => {
  it('reads one 12-digit id per line, skipping blank lines, whole-line and trailing # comments, and duplicates', () => {
    const text = '# production\n111111111111\n\n  222222222222   # payments\r\n111111111111\n#333333333333\n';

    expect(parseAccountsFile(text, 'accounts.txt')).toEqual(['111111111111', '222222222222']);
  });

  it.each([
    ['an id of 11 digits', '111111111111\n22222222222\n', 'accounts.txt, line 2: "22222222222" is not a 12-digit AWS account id.'],
    ['two ids on one line', '111111111111 222222222222\n', 'accounts.txt, line 1: "111111111111 222222222222" is not a 12-digit AWS account id.'],
    ['an ARN', '\narn:aws:iam::111111111111:root\n', 'accounts.txt, line 2: "arn:aws:iam::111111111111:root" is not a 12-digit AWS account id.'],
  ])('refuses %s, naming the line', (_case, text, message) => {
    expect(() => parseAccountsFile(text, 'accounts.txt')).toThrow(new EnaGuardError(message));
  });
});

describe('checkEstate', () => {
  it('checks the caller\'s own account in each Region, with the account id STS gives, labelling every run', async () => {
    serveAccounts();

    const outcome = await checkEstate(options({ regions: ['eu-west-1', 'us-east-1'] }));

    expect(targetsOf(outcome)).toEqual([`${CALLER}/eu-west-1`, `${CALLER}/us-east-1`]);
    expect(outcome.runs.every((run) => run.accountId === CALLER && ['eu-west-1', 'us-east-1'].includes(run.region))).toBe(true);
    expect(outcome.failures).toEqual([]);
    expect(stsMock.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    expect(assumeMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('assumes --role-arn with the external id and checks the account STS names for the role', async () => {
    serveAccounts();

    const outcome = await checkEstate(options({ roleArn: 'arn:aws:iam::222222222222:role/EnaGuardAudit', externalId: 'audit-2026' }));

    expect(targetsOf(outcome)).toEqual(['222222222222/eu-west-1']);
    expect(assumeMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: 'arn:aws:iam::222222222222:role/EnaGuardAudit', RoleSessionName: 'ena-guard-cli', ExternalId: 'audit-2026' },
    ]);
    // The caller's identity, then the role's: the account id is always STS's word.
    expect(stsMock.commandCalls(GetCallerIdentityCommand)).toHaveLength(2);
  });

  it('assumes the role in every account of an --accounts file in the caller\'s partition, and uses the caller\'s own credentials for its own account', async () => {
    serveAccounts();
    stsMock.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
      const account = await accountOf(getClient as never);
      return { Account: account, Arn: `arn:aws-cn:iam::${account}:user/auditor` };
    });
    const file = join(folder, 'accounts.txt');
    await writeFile(file, `${CALLER}\n222222222222\n333333333333 # sandbox\n`);

    const outcome = await checkEstate(options({ accountsFile: file, roleName: 'audit/EnaGuardAudit', regions: ['cn-north-1'] }));

    expect(targetsOf(outcome)).toEqual([`${CALLER}/cn-north-1`, '222222222222/cn-north-1', '333333333333/cn-north-1']);
    expect(assumeMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn).sort()).toEqual([
      'arn:aws-cn:iam::222222222222:role/audit/EnaGuardAudit',
      'arn:aws-cn:iam::333333333333:role/audit/EnaGuardAudit',
    ]);
  });

  it('refuses a malformed --accounts file before calling AWS', async () => {
    serveAccounts();
    const file = join(folder, 'bad-accounts.txt');
    await writeFile(file, '222222222222\n2222-2222-2222\n');

    await expect(checkEstate(options({ accountsFile: file }))).rejects.toThrow(`${file}, line 2: "2222-2222-2222" is not a 12-digit AWS account id.`);
    expect(stsMock.calls()).toHaveLength(0);
  });

  it(`lists the ACTIVE accounts of the organization over every page and assumes ${DEFAULT_ROLE_NAME} in each`, async () => {
    serveAccounts();
    organizationsMock
      .on(ListAccountsCommand, {})
      .resolves({ Accounts: [{ Id: CALLER, Status: 'ACTIVE' }, { Id: '222222222222', Status: 'SUSPENDED' }], NextToken: 'page-2' })
      .on(ListAccountsCommand, { NextToken: 'page-2' })
      .resolves({ Accounts: [{ Id: '444444444444', Status: 'ACTIVE' }, { Id: '555555555555', Status: 'PENDING_CLOSURE' }] });

    const outcome = await checkEstate(options({ organization: true, externalId: 'org-audit' }));

    expect(targetsOf(outcome)).toEqual([`${CALLER}/eu-west-1`, '444444444444/eu-west-1']);
    expect(assumeMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::444444444444:role/${DEFAULT_ROLE_NAME}`, RoleSessionName: 'ena-guard-cli', ExternalId: 'org-audit' },
    ]);
  });

  it('checks every Region DescribeRegions lists as enabled with --all-regions', async () => {
    serveAccounts();
    ec2Mock.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'ap-east-1', OptInStatus: 'not-opted-in' },
        { RegionName: 'af-south-1', OptInStatus: 'opted-in' },
      ],
    });

    const region = process.env.AWS_REGION;
    process.env.AWS_REGION = 'eu-west-1';

    const outcome = await checkEstate(options({ regions: [], allRegions: true })).finally(() => {
      if (region === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = region;
    });

    expect(targetsOf(outcome)).toEqual([`${CALLER}/af-south-1`, `${CALLER}/us-east-1`]);
  });

  it('uses the profile\'s credentials and, without --region, the profile\'s Region', async () => {
    serveAccounts();
    const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE, region: process.env.AWS_REGION };
    await writeFile(join(folder, 'config'), '[profile audit]\nregion = ap-southeast-2\n');
    await writeFile(join(folder, 'credentials'), '[audit]\naws_access_key_id = AKIA666666666666\naws_secret_access_key = secret\n');
    process.env.AWS_CONFIG_FILE = join(folder, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(folder, 'credentials');
    delete process.env.AWS_REGION;

    const outcome = await checkEstate({ ...options({ regions: [], profile: 'audit' }), credentials: undefined }).finally(() => {
      for (const [key, value] of [['AWS_CONFIG_FILE', saved.config], ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials], ['AWS_REGION', saved.region]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    expect(targetsOf(outcome)).toEqual(['666666666666/ap-southeast-2']);
  });

  it('never checks more targets at once than the concurrency allows', async () => {
    serveAccounts({ delayMs: 5 });
    const file = join(folder, 'three-accounts.txt');
    await writeFile(file, '222222222222\n333333333333\n444444444444\n');
    let inFlight = 0;
    let most = 0;
    const progress = (event: EstateProgress) => {
      if (event.kind === 'target-started') most = Math.max(most, ++inFlight);
      if (event.kind === 'target-failed' || (event.kind === 'rule-finished' && event.rule === 'ena-express-enabled')) inFlight -= 1;
    };

    const outcome = await checkEstate(options({ accountsFile: file, regions: ['eu-west-1', 'us-east-1'], concurrency: 2, progress }));

    expect(targetsOf(outcome)).toHaveLength(6);
    expect(most).toBe(2);
  });

  it('reports an account whose role cannot be assumed, and a Region that is not enabled, as failures of that target while the others are checked', async () => {
    serveAccounts({ disabledRegions: ['ap-east-1'] });
    assumeMock.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::333333333333:role/${DEFAULT_ROLE_NAME}` }).rejects(accessDenied('User is not authorized to perform: sts:AssumeRole'));
    const file = join(folder, 'two-accounts.txt');
    await writeFile(file, '222222222222\n333333333333\n');

    const outcome = await checkEstate(options({ accountsFile: file, regions: ['eu-west-1', 'ap-east-1'] }));

    expect(targetsOf(outcome)).toEqual(['222222222222/eu-west-1']);
    expect(outcome.failures.map((failure) => `${failure.accountId}/${failure.region}`).sort()).toEqual(['222222222222/ap-east-1', '333333333333/ap-east-1', '333333333333/eu-west-1']);
    const denied = outcome.failures.find((failure) => failure.accountId === '333333333333')!;
    expect(denied.error).toContain('AWS refused the role arn:aws:iam::333333333333:role/OrganizationAccountAccessRole in eu-west-1: User is not authorized to perform: sts:AssumeRole');
    expect(outcome.failures.find((failure) => failure.accountId === '222222222222')!.error).toContain('222222222222 in ap-east-1 could not be checked: DescribeInstances failed');
  });

  it('numbers each target it starts out of all of them, and reports each rule it finished with its count', async () => {
    serveAccounts();
    const events: EstateProgress[] = [];

    await checkEstate(options({ regions: ['eu-west-1', 'us-east-1'], concurrency: 1, progress: (event) => events.push(event) }));

    expect(events.filter((event) => event.kind === 'target-started')).toEqual([
      { kind: 'target-started', accountId: CALLER, region: 'eu-west-1', position: 1, targets: 2 },
      { kind: 'target-started', accountId: CALLER, region: 'us-east-1', position: 2, targets: 2 },
    ]);
    expect(events).toContainEqual({ kind: 'rule-finished', accountId: CALLER, region: 'us-east-1', rule: 'ena-instance-enabled', results: 1 });
  });

  it('lets a bug in a target\'s run through instead of reporting the target as unreachable', async () => {
    serveAccounts();
    const bug = new TypeError("Cannot read properties of undefined (reading 'results')");

    const outcome = checkEstate(
      options({
        progress: (event) => {
          if (event.kind === 'rule-finished') throw bug;
        },
      }),
    );

    await expect(outcome).rejects.toBe(bug);
  });

  it('throws one CredentialsError naming the Region when no credentials are found', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const error = await checkEstate(options({ regions: ['eu-central-1', 'eu-west-1'] })).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toBe(
      'No AWS credentials were found for the default credentials (asked for STS in eu-central-1): set AWS_PROFILE or pass --profile, or sign in (aws sso login). Could not load credentials from any providers.',
    );
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('throws one CredentialsError, not one per target, when no target could be reached', async () => {
    serveAccounts();
    assumeMock.on(AssumeRoleCommand).rejects(accessDenied('User is not authorized to perform: sts:AssumeRole'));
    const file = join(folder, 'denied-accounts.txt');
    await writeFile(file, '222222222222\n333333333333\n');

    const error = await checkEstate(options({ accountsFile: file, regions: ['eu-west-1', 'us-east-1'] })).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toBe(
      'None of the 4 account and Region pairs could be checked; the first, 222222222222 in eu-west-1: AWS refused the role arn:aws:iam::222222222222:role/OrganizationAccountAccessRole in eu-west-1: User is not authorized to perform: sts:AssumeRole (AccessDenied).',
    );
  });

  it.each([
    ['--role-arn with --accounts', { roleArn: 'arn:aws:iam::222222222222:role/R', accountsFile: 'x' }, '--role-arn and --accounts cannot be combined'],
    ['--role-name alone', { roleName: 'R' }, '--role-name goes with --accounts or --organization'],
    ['a concurrency of 0', { concurrency: 0 }, '--concurrency must be a whole number of at least 1 (got 0).'],
    ['a role ARN without an account', { roleArn: 'arn:aws:iam:::role/R' }, 'is not a role ARN'],
    ['an unknown --param', { parameters: { NoSuchParameter: 'x' } }, 'No rule has a parameter "NoSuchParameter"'],
  ])('refuses %s before checking anything', async (_case, overrides, message) => {
    serveAccounts();

    await expect(checkEstate(options(overrides as Partial<EstateOptions>))).rejects.toThrow(message);
    expect(stsMock.calls()).toHaveLength(0);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

/**
 * writeSnapshot over mocked SDK clients: the files, their layout (the AWS CLI's), and what is
 * skipped. Associations and inventory are covered only here: moto serves neither
 * DescribeInstanceInformation nor ListAssociations. test/e2e/aws-cli-snapshot.test.ts compares
 * the files with the real AWS CLI's over moto.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeAssociationCommand,
  DescribeInstanceInformationCommand,
  GetParametersCommand,
  InvalidTypeNameException,
  ListAssociationsCommand,
  ListInventoryEntriesCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAllChecks } from '../../src/cli/run-checks.js';
import { findingsOf } from '../../src/cli/findings.js';
import { cliTimestamp, writeSnapshot, type SnapshotOptions } from '../../src/cli/snapshot-writer.js';
import { silentLog } from '../../src/engine/ports.js';
import { FactsUnavailableError } from '../../src/errors.js';
import { snapshotSources } from '../../src/facts/sources.js';
import { sdkInstance, sdkInstanceType } from '../support/instances.js';

const stsMock = mockClient(STSClient);
const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const LAUNCHED = new Date('2026-01-10T08:30:00.000Z');

let out = '';
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'ena-guard-writer-'));
  for (const mock of [stsMock, ec2Mock, ssmMock]) mock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/auditor' });
  ec2Mock
    .on(DescribeInstancesCommand, {})
    .resolves({ Reservations: [{ ReservationId: 'r-1', OwnerId: '111111111111', Instances: [sdkInstance(1, { EnaSupport: false, LaunchTime: LAUNCHED, ImageId: 'ami-shared' })] }], NextToken: 'page-2', $metadata: { httpStatusCode: 200 } })
    .on(DescribeInstancesCommand, { NextToken: 'page-2' })
    .resolves({ Reservations: [{ ReservationId: 'r-2', OwnerId: '111111111111', Instances: [sdkInstance(2, { InstanceType: 'c4.large', ImageId: 'ami-owned' })] }] });
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [sdkInstanceType('c4.large', 'unsupported'), sdkInstanceType('m5.large', 'required')] });
  ec2Mock.on(DescribeImagesCommand, { Owners: ['self'] }).resolves({ Images: [{ ImageId: 'ami-owned', EnaSupport: true, State: 'available', VirtualizationType: 'hvm', RootDeviceType: 'ebs' }] });
  ec2Mock.on(DescribeImagesCommand, { IncludeDisabled: true }).resolves({ Images: [{ ImageId: 'ami-shared', EnaSupport: true, State: 'available', VirtualizationType: 'hvm', RootDeviceType: 'ebs' }] });
  ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-1', LaunchTemplateName: 'web', Tags: [{ Key: 'team', Value: 'web' }] }] });
  ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({
    LaunchTemplateVersions: [
      { LaunchTemplateId: 'lt-1', LaunchTemplateName: 'web', VersionNumber: 3, DefaultVersion: true, LaunchTemplateData: { ImageId: 'resolve:ssm:/golden/web' } },
      { LaunchTemplateId: 'lt-2', LaunchTemplateName: 'batch', VersionNumber: 1, DefaultVersion: true, LaunchTemplateData: { ImageId: 'ami-owned' } },
    ],
  });
  ssmMock.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/golden/web', Type: 'String', Value: 'ami-golden', Version: 4 }], InvalidParameters: [] });
  ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: sdkInstance(1).InstanceId, PingStatus: 'Online', PlatformType: 'Linux', LastPingDateTime: new Date('2026-01-14T12:00:00.250Z') }] });
  ssmMock.on(ListInventoryEntriesCommand).resolves({
    TypeName: 'Custom:EnaDriver',
    InstanceId: sdkInstance(1).InstanceId,
    SchemaVersion: '1.0',
    CaptureTime: '2026-01-14T11:00:00Z',
    Entries: [{ DriverPresent: 'true', DriverVersion: '2.8.1', OsFamily: 'linux' }],
  });
  ssmMock.on(ListAssociationsCommand).resolves({
    Associations: [
      { Name: 'AWS-GatherSoftwareInventory', AssociationId: 'assoc-inventory', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] },
      { Name: 'AWS-UpdateSSMAgent', AssociationId: 'assoc-agent' },
    ],
  });
  ssmMock.on(DescribeAssociationCommand).resolves({ AssociationDescription: { Name: 'AWS-GatherSoftwareInventory', AssociationId: 'assoc-inventory', Parameters: { customInventory: ['Enabled'] }, Date: new Date('2025-06-01T00:00:00Z') } });
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

function options(overrides: Partial<SnapshotOptions> = {}): SnapshotOptions {
  return { out, region: 'eu-west-1', credentials: async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'secret' }), env: {}, ...overrides };
}

async function json(file: string): Promise<unknown> {
  return JSON.parse(await readFile(join(out, file), 'utf8'));
}

describe('writeSnapshot', () => {
  it('writes every file check --snapshot and simulate read, and says which account and Region it exported', async () => {
    const written = await writeSnapshot(options());

    expect(written).toEqual({
      accountId: '111111111111',
      region: 'eu-west-1',
      files: [
        'describe-instances.json',
        'describe-instance-types.json',
        'describe-images.json',
        'describe-launch-templates.json',
        'describe-launch-template-versions.json',
        'get-parameters.json',
        'describe-referenced-images.json',
        'describe-instance-information.json',
        `inventory/${sdkInstance(1).InstanceId}.json`,
        'list-associations.json',
        'associations/assoc-inventory.json',
      ],
    });
  });

  it('merges every page into one answer laid out as the AWS CLI prints it: four-space indent, ISO 8601 times with their offset, no $metadata', async () => {
    await writeSnapshot(options());

    const text = await readFile(join(out, 'describe-instances.json'), 'utf8');
    const parsed = JSON.parse(text) as { Reservations: { ReservationId: string; Instances: { LaunchTime: string }[] }[] };
    expect(parsed.Reservations.map((reservation) => reservation.ReservationId)).toEqual(['r-1', 'r-2']);
    expect(parsed.Reservations[0]!.Instances[0]!.LaunchTime).toBe('2026-01-10T08:30:00+00:00');
    expect(text).toBe(`${JSON.stringify(parsed, null, 4)}\n`);
    expect(text).not.toContain('$metadata');
    expect(text.startsWith('{\n    "Reservations": [\n        {\n            "ReservationId": "r-1",')).toBe(true);
    expect(((await json('describe-instance-information.json')) as { InstanceInformationList: { LastPingDateTime: string }[] }).InstanceInformationList[0]!.LastPingDateTime).toBe('2026-01-14T12:00:00.250000+00:00');
  });

  it('asks only for the instance types in use, and looks up the AMIs templates and instances use that the account does not own', async () => {
    await writeSnapshot(options());

    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand).map((call) => call.args[0].input.Filters)).toEqual([[{ Name: 'instance-type', Values: ['c4.large', 'm5.large'] }]]);
    expect(ssmMock.commandCalls(GetParametersCommand).map((call) => call.args[0].input.Names)).toEqual([['/golden/web']]);
    expect(ec2Mock.commandCalls(DescribeImagesCommand, { IncludeDisabled: true }).map((call) => call.args[0].input)).toEqual([
      { Filters: [{ Name: 'image-id', Values: ['ami-golden', 'ami-shared'] }], IncludeDeprecated: true, IncludeDisabled: true, MaxResults: 1000 },
    ]);
    expect(await json('get-parameters.json')).toEqual({ Parameters: [{ Name: '/golden/web', Type: 'String', Value: 'ami-golden', Version: 4 }], InvalidParameters: [] });
  });

  it('writes the full description of inventory associations only, for simulate to seed State Manager with', async () => {
    await writeSnapshot(options());

    expect(await json('list-associations.json')).toEqual({
      Associations: [
        { Name: 'AWS-GatherSoftwareInventory', AssociationId: 'assoc-inventory', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] },
        { Name: 'AWS-UpdateSSMAgent', AssociationId: 'assoc-agent' },
      ],
    });
    expect(await json('associations/assoc-inventory.json')).toEqual({
      AssociationDescription: { Name: 'AWS-GatherSoftwareInventory', AssociationId: 'assoc-inventory', Parameters: { customInventory: ['Enabled'] }, Date: '2025-06-01T00:00:00+00:00' },
    });
    expect(existsSync(join(out, 'associations/assoc-agent.json'))).toBe(false);
  });

  it('reads back offline as the findings the exported account has', async () => {
    await writeSnapshot(options());

    const findings = findingsOf(await runAllChecks(snapshotSources(out, () => new Date('2026-01-15T00:00:00Z')), {}, silentLog));

    const instanceVerdicts = findings.filter((finding) => finding.rule === 'ena-instance-enabled').map((finding) => `${finding.resourceId} ${finding.verdict}`);
    expect(instanceVerdicts).toEqual([`${sdkInstance(1).InstanceId} NON_COMPLIANT`, `${sdkInstance(2).InstanceId} NOT_APPLICABLE`]);
    expect(findings.filter((finding) => finding.resourceType === 'AWS::EC2::LaunchTemplate').map((finding) => finding.resourceId).sort()).toEqual(['lt-1', 'lt-2']);
  });

  it('writes no inventory file for an account that never collected Custom:EnaDriver, and lists other failures as skipped', async () => {
    ssmMock.on(ListInventoryEntriesCommand).rejects(new InvalidTypeNameException({ $metadata: {}, message: 'The type name is not valid.' }));
    ssmMock.on(ListAssociationsCommand).rejects(Object.assign(new Error('User is not authorized to perform: ssm:ListAssociations'), { name: 'AccessDeniedException' }));

    const written = await writeSnapshot(options());

    expect(existsSync(join(out, 'inventory', `${sdkInstance(1).InstanceId}.json`))).toBe(false);
    expect(written.skipped).toEqual([{ file: 'list-associations.json', error: 'AccessDeniedException: User is not authorized to perform: ssm:ListAssociations' }]);
    expect(written.files).not.toContain('list-associations.json');
  });

  it('leaves no half-written file when a later page fails', async () => {
    ec2Mock
      .on(DescribeLaunchTemplatesCommand, {})
      .resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-1' }], NextToken: 'page-2' })
      .on(DescribeLaunchTemplatesCommand, { NextToken: 'page-2' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));

    const written = await writeSnapshot(options({}));

    expect(existsSync(join(out, 'describe-launch-templates.json'))).toBe(false);
    expect(written.skipped?.map((skip) => skip.file)).toEqual(['describe-launch-templates.json']);
  });

  it('fails when describe-instances cannot be exported, since nothing could be checked without it', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }));

    await expect(writeSnapshot(options())).rejects.toThrow(new FactsUnavailableError('describe-instances.json could not be exported: UnauthorizedOperation: You are not authorized to perform this operation.'));
  });

  it('refuses a folder that holds anything, so that no file of an earlier export passes for this one', async () => {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'describe-images.json'), '{"Images": []}');

    await expect(writeSnapshot(options())).rejects.toThrow(/is not empty \(1 entries\): give a new or empty folder/);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('writes an empty list as the CLI does', async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });

    await writeSnapshot(options());

    expect(await readFile(join(out, 'describe-launch-templates.json'), 'utf8')).toBe('{\n    "LaunchTemplates": []\n}\n');
  });
});

describe('cliTimestamp', () => {
  it.each([
    ['2026-01-10T08:30:00.000Z', '2026-01-10T08:30:00+00:00'],
    ['2026-01-10T08:30:00.007Z', '2026-01-10T08:30:00.007000+00:00'],
  ])('prints %s as Python\'s isoformat does: %s', (iso, printed) => {
    expect(cliTimestamp(new Date(iso))).toBe(printed);
  });
});

import type { DescribeInstanceStatusCommandOutput, DescribeInstancesCommandOutput, DescribeTagsCommandOutput, Image, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { AccountModel, UnsupportedOperationError, type AccountModel as Account } from '../../src/simulator/index.js';
import { ACCOUNT_ID, INSTANCE_ID, INSTANCE_TYPES, LINUX_WITHOUT_DRIVER, LINUX_WITH_DRIVER, START, image, instance, reservation, singleInstanceAccount } from './fixtures.js';

function state(account: Account, instanceId = INSTANCE_ID): string | undefined {
  return account.ec2.instance(instanceId)?.State?.Name;
}

function statusChecks(account: Account, instanceId = INSTANCE_ID): { instance?: string; system?: string } {
  const output = account.call('ec2', 'DescribeInstanceStatus', { InstanceIds: [instanceId], IncludeAllInstances: true }) as DescribeInstanceStatusCommandOutput;
  const status = output.InstanceStatuses?.[0];
  return { instance: status?.InstanceStatus?.Status, system: status?.SystemStatus?.Status };
}

function errorOf(run: () => unknown): EC2ServiceException {
  try {
    run();
  } catch (error) {
    if (error instanceof EC2ServiceException) return error;
    throw error;
  }
  throw new Error('expected an EC2 error');
}

function stopAndWait(account: Account, instanceId = INSTANCE_ID): void {
  account.call('ec2', 'StopInstances', { InstanceIds: [instanceId] });
  account.clock.advance(60_000);
}

describe('instance states', () => {
  it('goes running → stopping → stopped over simulated time', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    account.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] });
    const whileStopping = state(account);
    account.clock.advance(30_000);

    // Assess
    expect(whileStopping).toBe('stopping');
    expect(state(account)).toBe('stopped');
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Code).toBe(80);
  });

  it('goes stopped → pending → running, with status checks initializing and then ok', () => {
    // Prepare
    const account = singleInstanceAccount();
    stopAndWait(account);

    // Act
    account.call('ec2', 'StartInstances', { InstanceIds: [INSTANCE_ID] });
    const whilePending = state(account);
    account.clock.advance(15_000);
    const checksAtStart = statusChecks(account);
    account.clock.advance(120_000);

    // Assess
    expect(whilePending).toBe('pending');
    expect(checksAtStart).toEqual({ instance: 'initializing', system: 'initializing' });
    expect(statusChecks(account)).toEqual({ instance: 'ok', system: 'ok' });
  });

  it('goes shutting-down → terminated on TerminateInstances', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const output = account.call('ec2', 'TerminateInstances', { InstanceIds: [INSTANCE_ID] }) as { TerminatingInstances: { CurrentState: { Name: string } }[] };
    account.clock.advance(30_000);

    // Assess
    expect(output.TerminatingInstances[0]?.CurrentState.Name).toBe('shutting-down');
    expect(state(account)).toBe('terminated');
  });

  it('fails the instance status check when ENA is enabled on a guest without an ENA driver', () => {
    // Prepare
    const account = singleInstanceAccount({ guest: LINUX_WITHOUT_DRIVER });
    stopAndWait(account);
    account.call('ec2', 'ModifyInstanceAttribute', { InstanceId: INSTANCE_ID, EnaSupport: { Value: true } });

    // Act
    account.call('ec2', 'StartInstances', { InstanceIds: [INSTANCE_ID] });
    account.clock.advance(600_000);

    // Assess
    expect(state(account)).toBe('running');
    expect(statusChecks(account)).toEqual({ instance: 'impaired', system: 'ok' });
    expect(account.ssm.pingStatus(INSTANCE_ID)).toBe('ConnectionLost');
  });

  it('passes the status checks when ENA is enabled on a guest with a driver', () => {
    // Prepare
    const account = singleInstanceAccount({ guest: LINUX_WITH_DRIVER });
    stopAndWait(account);
    account.call('ec2', 'ModifyInstanceAttribute', { InstanceId: INSTANCE_ID, EnaSupport: { Value: true } });

    // Act
    account.call('ec2', 'StartInstances', { InstanceIds: [INSTANCE_ID] });
    account.clock.advance(600_000);

    // Assess
    expect(statusChecks(account)).toEqual({ instance: 'ok', system: 'ok' });
    expect(account.ssm.pingStatus(INSTANCE_ID)).toBe('Online');
  });

  it('finishes a transition the snapshot caught half-way (stopping → stopped)', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { State: { Code: 64, Name: 'stopping' } } });

    // Act
    account.clock.advance(30_000);

    // Assess
    expect(state(account)).toBe('stopped');
  });

  it('lists only running instances in DescribeInstanceStatus unless IncludeAllInstances is set', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { State: { Code: 80, Name: 'stopped' } } });

    // Act
    const runningOnly = account.call('ec2', 'DescribeInstanceStatus', { InstanceIds: [INSTANCE_ID] }) as DescribeInstanceStatusCommandOutput;

    // Assess
    expect(runningOnly.InstanceStatuses).toEqual([]);
    expect(statusChecks(account)).toEqual({ instance: 'not-applicable', system: 'not-applicable' });
  });
});

describe('ENA attribute rules', () => {
  it('refuses ModifyInstanceAttribute EnaSupport on a running instance with IncorrectInstanceState', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const error = errorOf(() => account.call('ec2', 'ModifyInstanceAttribute', { InstanceId: INSTANCE_ID, EnaSupport: { Value: true } }));

    // Assess
    expect(error.name).toBe('IncorrectInstanceState');
    expect(error.message).toBe(`The instance '${INSTANCE_ID}' is not in the 'stopped' state.`);
    expect(error.$fault).toBe('client');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(account.ec2.instance(INSTANCE_ID)?.EnaSupport).toBe(false);
  });

  it('refuses EnaSupport given as a bare boolean instead of {Value}', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { State: { Code: 80, Name: 'stopped' } } });

    // Act
    const error = errorOf(() => account.call('ec2', 'ModifyInstanceAttribute', { InstanceId: INSTANCE_ID, EnaSupport: true }));

    // Assess
    expect(error.name).toBe('InvalidParameterValue');
  });

  it('reports enaSupport and disableApiStop through DescribeInstanceAttribute', () => {
    // Prepare
    const account = singleInstanceAccount({ snapshot: { instanceExtras: { [INSTANCE_ID]: { disableApiStop: true } } } });

    // Act
    const ena = account.call('ec2', 'DescribeInstanceAttribute', { InstanceId: INSTANCE_ID, Attribute: 'enaSupport' });
    const stop = account.call('ec2', 'DescribeInstanceAttribute', { InstanceId: INSTANCE_ID, Attribute: 'disableApiStop' });

    // Assess
    expect(ena).toMatchObject({ InstanceId: INSTANCE_ID, EnaSupport: { Value: false } });
    expect(stop).toMatchObject({ InstanceId: INSTANCE_ID, DisableApiStop: { Value: true } });
  });

  it('refuses to start an ENA-required instance type whose enaSupport is false with InvalidParameterCombination', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { InstanceType: 'm5.large', State: { Code: 80, Name: 'stopped' } } });

    // Act
    const error = errorOf(() => account.call('ec2', 'StartInstances', { InstanceIds: [INSTANCE_ID] }));

    // Assess
    expect(error.name).toBe('InvalidParameterCombination');
    expect(error.message).toMatch(/Elastic Network Adapter \(ENA\) is required for the 'm5.large' instance type/);
    expect(state(account)).toBe('stopped');
  });
});

describe('what blocks a stop', () => {
  it('refuses to stop an instance-store-backed instance with UnsupportedOperation', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { InstanceType: 'i3.large', RootDeviceType: 'instance-store' } });

    // Act
    const error = errorOf(() => account.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] }));

    // Assess
    expect(error.name).toBe('UnsupportedOperation');
    expect(error.message).toMatch(/does not have an 'ebs' root device type and cannot be stopped/);
  });

  it('refuses to stop a stop-protected instance with OperationNotPermitted', () => {
    // Prepare
    const account = singleInstanceAccount({ snapshot: { instanceExtras: { [INSTANCE_ID]: { disableApiStop: true } } } });

    // Act
    const error = errorOf(() => account.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] }));

    // Assess
    expect(error.name).toBe('OperationNotPermitted');
    expect(state(account)).toBe('running');
  });

  it('refuses to stop a one-time Spot instance with UnsupportedOperation, and stops a persistent one', () => {
    // Prepare
    const spot = { InstanceLifecycle: 'spot' as const, SpotInstanceRequestId: 'sir-0abc1234' };
    const oneTime = singleInstanceAccount({ instance: spot });
    const persistent = singleInstanceAccount({ instance: spot, snapshot: { instanceExtras: { [INSTANCE_ID]: { spotRequestType: 'persistent' } } } });

    // Act
    const error = errorOf(() => oneTime.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] }));
    persistent.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] });

    // Assess
    expect(error.name).toBe('UnsupportedOperation');
    expect(error.message).toMatch(/one-time Spot Instance request/);
    expect(state(persistent)).toBe('stopping');
  });

  it('refuses the whole StopInstances call when one instance cannot stop', () => {
    // Prepare
    const account = AccountModel.fromSnapshot({
      instanceTypes: INSTANCE_TYPES,
      reservations: [reservation('r-1', [instance({ InstanceId: 'i-0000000000000000a' }), instance({ InstanceId: 'i-0000000000000000b', RootDeviceType: 'instance-store' })])],
    });

    // Act
    errorOf(() => account.call('ec2', 'StopInstances', { InstanceIds: ['i-0000000000000000a', 'i-0000000000000000b'] }));

    // Assess
    expect(state(account, 'i-0000000000000000a')).toBe('running');
  });

  it('refuses an unknown instance id with InvalidInstanceID.NotFound', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const error = errorOf(() => account.call('ec2', 'DescribeInstances', { InstanceIds: ['i-0123456789abcdef9'] }));

    // Assess
    expect(error.name).toBe('InvalidInstanceID.NotFound');
  });
});

describe('DescribeInstances', () => {
  it('filters by ena-support and state, and pages with MaxResults and NextToken', () => {
    // Prepare
    const instances = Array.from({ length: 7 }, (_, n) => instance({ InstanceId: `i-00000000000000${n}0`, EnaSupport: n % 2 === 0 }));
    const account = AccountModel.fromSnapshot({ instanceTypes: INSTANCE_TYPES, reservations: [reservation('r-1', instances)] });
    const filters = [
      { Name: 'ena-support', Values: ['true'] },
      { Name: 'instance-state-name', Values: ['running'] },
    ];

    // Act
    const filtered = account.call('ec2', 'DescribeInstances', { Filters: filters }) as DescribeInstancesCommandOutput;
    const first = account.call('ec2', 'DescribeInstances', { MaxResults: 5 }) as DescribeInstancesCommandOutput;
    const second = account.call('ec2', 'DescribeInstances', { MaxResults: 5, NextToken: first.NextToken }) as DescribeInstancesCommandOutput;

    // Assess
    expect(filtered.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual(['i-0000000000000000', 'i-0000000000000020', 'i-0000000000000040', 'i-0000000000000060']);
    expect(first.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(5);
    expect(first.NextToken).toBeDefined();
    expect(second.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(2);
    expect(second.NextToken).toBeUndefined();
  });

  it('refuses InstanceIds together with MaxResults, as EC2 does', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const error = errorOf(() => account.call('ec2', 'DescribeInstances', { InstanceIds: [INSTANCE_ID], MaxResults: 5 }));

    // Assess
    expect(error.name).toBe('InvalidParameterCombination');
  });

  it('refuses a filter it does not know instead of ignoring it', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const error = errorOf(() => account.call('ec2', 'DescribeInstances', { Filters: [{ Name: 'enaSupport', Values: ['true'] }] }));

    // Assess
    expect(error.name).toBe('InvalidParameterValue');
  });

  it('returns Dates for times seeded as ISO strings', () => {
    // Prepare
    const raw = JSON.parse(JSON.stringify([reservation('r-1', [instance({ InstanceId: INSTANCE_ID })])])) as DescribeInstancesCommandOutput['Reservations'];
    const account = AccountModel.fromSnapshot({ reservations: raw, instanceTypes: INSTANCE_TYPES });

    // Act
    const output = account.call('ec2', 'DescribeInstances', { InstanceIds: [INSTANCE_ID] }) as DescribeInstancesCommandOutput;

    // Assess
    expect(output.Reservations?.[0]?.Instances?.[0]?.LaunchTime).toEqual(new Date('2025-11-20T08:15:00.000Z'));
  });
});

describe('instance types', () => {
  it('reports each type’s ENA capability and filters on network-info.ena-support', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const required = account.call('ec2', 'DescribeInstanceTypes', { Filters: [{ Name: 'network-info.ena-support', Values: ['required'] }] }) as { InstanceTypes: InstanceTypeInfo[] };
    const c4 = account.call('ec2', 'DescribeInstanceTypes', { InstanceTypes: ['c4.large'] }) as { InstanceTypes: InstanceTypeInfo[] };

    // Assess
    expect(required.InstanceTypes.map((t) => t.InstanceType)).toEqual(['m5.large']);
    expect(c4.InstanceTypes[0]?.NetworkInfo?.EnaSupport).toBe('unsupported');
  });

  it('refuses an unknown instance type with InvalidInstanceType', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const error = errorOf(() => account.call('ec2', 'DescribeInstanceTypes', { InstanceTypes: ['m99.huge'] }));

    // Assess
    expect(error.name).toBe('InvalidInstanceType');
  });
});

describe('images', () => {
  it('creates an image that inherits the instance’s ENA flag and goes pending → available', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { EnaSupport: true } });

    // Act
    const { ImageId: imageId } = account.call('ec2', 'CreateImage', { InstanceId: INSTANCE_ID, Name: 'backup-1', NoReboot: true }) as { ImageId: string };
    const pending = account.ec2.image(imageId);
    account.clock.advance(300_000);

    // Assess
    expect(pending?.State).toBe('pending');
    expect(pending?.EnaSupport).toBe(true);
    expect(pending?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId).toMatch(/^snap-/);
    expect(account.ec2.image(imageId)?.State).toBe('available');
  });

  it('refuses a second image with the same name with InvalidAMIName.Duplicate', () => {
    // Prepare
    const account = singleInstanceAccount();
    account.call('ec2', 'CreateImage', { InstanceId: INSTANCE_ID, Name: 'backup-1', NoReboot: true });

    // Act
    const error = errorOf(() => account.call('ec2', 'CreateImage', { InstanceId: INSTANCE_ID, Name: 'backup-1', NoReboot: true }));

    // Assess
    expect(error.name).toBe('InvalidAMIName.Duplicate');
  });

  it('registers an ENA-enabled image from an existing image’s snapshot', () => {
    // Prepare
    const account = AccountModel.fromSnapshot({ images: [image({ ImageId: 'ami-0000000000000old1', EnaSupport: false })] });
    const snapshotId = account.ec2.image('ami-0000000000000old1')?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId;

    // Act
    const { ImageId: imageId } = account.call('ec2', 'RegisterImage', {
      Name: 'golden-linux-ena',
      RootDeviceName: '/dev/xvda',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshotId } }],
      VirtualizationType: 'hvm',
      EnaSupport: true,
    }) as { ImageId: string };
    account.clock.advance(10_000);

    // Assess
    expect(account.ec2.image(imageId)).toMatchObject({ EnaSupport: true, State: 'available', Name: 'golden-linux-ena' });
  });

  it('refuses RegisterImage from a snapshot that does not exist', () => {
    // Prepare
    const account = new AccountModel();

    // Act
    const error = errorOf(() => account.call('ec2', 'RegisterImage', { Name: 'x', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0000000000000none' } }] }));

    // Assess
    expect(error.name).toBe('InvalidSnapshot.NotFound');
  });

  it('refuses to change enaSupport with ModifyImageAttribute', () => {
    // Prepare
    const account = AccountModel.fromSnapshot({ images: [image({ ImageId: 'ami-0000000000000old1', EnaSupport: false })] });

    // Act
    const error = errorOf(() => account.call('ec2', 'ModifyImageAttribute', { ImageId: 'ami-0000000000000old1', Attribute: 'enaSupport', Value: 'true' }));

    // Assess
    expect(error.name).toBe('InvalidParameterValue');
    expect(account.ec2.image('ami-0000000000000old1')?.EnaSupport).toBe(false);
  });

  it('hides a deprecated image from listings but not from lookups by id', () => {
    // Prepare
    const account = AccountModel.fromSnapshot({ accountId: ACCOUNT_ID, startTime: START, images: [image({ ImageId: 'ami-0000000000000old1' })] });
    account.call('ec2', 'EnableImageDeprecation', { ImageId: 'ami-0000000000000old1', DeprecateAt: new Date('2026-03-03T00:00:00Z') });

    // Act
    account.clock.advance(2 * 24 * 3600 * 1000);
    const listed = account.call('ec2', 'DescribeImages', { Owners: ['self'] }) as { Images: Image[] };
    const byId = account.call('ec2', 'DescribeImages', { ImageIds: ['ami-0000000000000old1'] }) as { Images: Image[] };

    // Assess
    expect(listed.Images).toEqual([]);
    expect(byId.Images[0]?.DeprecationTime).toBe('2026-03-03T00:00:00.000Z');
  });

  it('answers InvalidAMIID.NotFound for a deregistered image', () => {
    // Prepare
    const account = AccountModel.fromSnapshot({ images: [image({ ImageId: 'ami-0000000000000old1' })] });
    account.call('ec2', 'DeregisterImage', { ImageId: 'ami-0000000000000old1' });

    // Act
    const error = errorOf(() => account.call('ec2', 'DescribeImages', { ImageIds: ['ami-0000000000000old1'] }));

    // Assess
    expect(error.name).toBe('InvalidAMIID.NotFound');
  });
});

describe('RunInstances (boot test)', () => {
  it('refuses an ENA-required type from an image without ENA with InvalidParameterCombination', () => {
    // Prepare
    const account = AccountModel.fromSnapshot({ instanceTypes: INSTANCE_TYPES, images: [image({ ImageId: 'ami-0000000000000old1', EnaSupport: false })] });

    // Act
    const error = errorOf(() => account.call('ec2', 'RunInstances', { ImageId: 'ami-0000000000000old1', InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }));

    // Assess
    expect(error.name).toBe('InvalidParameterCombination');
  });

  it('boots an instance from an image taken of a guest without a driver, and its checks fail', () => {
    // Prepare
    const account = singleInstanceAccount({ guest: LINUX_WITHOUT_DRIVER });
    const { ImageId: imageId } = account.call('ec2', 'CreateImage', { InstanceId: INSTANCE_ID, Name: 'no-driver', NoReboot: true }) as { ImageId: string };
    account.clock.advance(300_000);
    const { ImageId: enaImage } = account.call('ec2', 'RegisterImage', {
      Name: 'no-driver-ena',
      RootDeviceName: '/dev/xvda',
      BlockDeviceMappings: account.ec2.image(imageId)?.BlockDeviceMappings,
      EnaSupport: true,
    }) as { ImageId: string };
    account.clock.advance(10_000);

    // Act
    const launched = account.call('ec2', 'RunInstances', { ImageId: enaImage, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }) as { Instances: { InstanceId: string }[] };
    const testId = launched.Instances[0]?.InstanceId ?? '';
    account.clock.advance(300_000);

    // Assess
    expect(state(account, testId)).toBe('running');
    expect(account.ec2.instance(testId)?.EnaSupport).toBe(true);
    expect(statusChecks(account, testId).instance).toBe('impaired');
  });

  it('refuses an image that is still pending with InvalidAMIID.Unavailable', () => {
    // Prepare
    const account = singleInstanceAccount();
    const { ImageId: imageId } = account.call('ec2', 'CreateImage', { InstanceId: INSTANCE_ID, Name: 'fresh', NoReboot: true }) as { ImageId: string };

    // Act
    const error = errorOf(() => account.call('ec2', 'RunInstances', { ImageId: imageId, InstanceType: 'r4.large', MinCount: 1, MaxCount: 1 }));

    // Assess
    expect(error.name).toBe('InvalidAMIID.Unavailable');
  });
});

describe('launch templates', () => {
  function templateAccount(): Account {
    return AccountModel.fromSnapshot({
      images: [image({ ImageId: 'ami-0000000000000old1', EnaSupport: false }), image({ ImageId: 'ami-0000000000000new1', Name: 'golden-ena' })],
      launchTemplates: [{ LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: 'web', DefaultVersionNumber: 1, LatestVersionNumber: 1, CreateTime: new Date('2025-01-01T00:00:00Z') }],
      launchTemplateVersions: [
        { LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: 'web', VersionNumber: 1, DefaultVersion: true, LaunchTemplateData: { ImageId: 'ami-0000000000000old1', InstanceType: 'r4.large' } },
      ],
    });
  }

  it('creates a version from a source version and makes it the default', () => {
    // Prepare
    const account = templateAccount();

    // Act
    const created = account.call('ec2', 'CreateLaunchTemplateVersion', { LaunchTemplateName: 'web', SourceVersion: '1', LaunchTemplateData: { ImageId: 'ami-0000000000000new1' } }) as {
      LaunchTemplateVersion: { VersionNumber: number; LaunchTemplateData: { ImageId: string; InstanceType: string } };
    };
    account.call('ec2', 'ModifyLaunchTemplate', { LaunchTemplateId: 'lt-0123456789abcdef0', DefaultVersion: '2' });
    const defaults = account.call('ec2', 'DescribeLaunchTemplateVersions', { LaunchTemplateId: 'lt-0123456789abcdef0', Versions: ['$Default'] }) as {
      LaunchTemplateVersions: { VersionNumber: number; DefaultVersion: boolean }[];
    };

    // Assess
    expect(created.LaunchTemplateVersion.VersionNumber).toBe(2);
    expect(created.LaunchTemplateVersion.LaunchTemplateData).toEqual({ ImageId: 'ami-0000000000000new1', InstanceType: 'r4.large' });
    expect(defaults.LaunchTemplateVersions).toEqual([expect.objectContaining({ VersionNumber: 2, DefaultVersion: true })]);
  });

  it('refuses a version that points at an image that does not exist', () => {
    // Prepare
    const account = templateAccount();

    // Act
    const error = errorOf(() => account.call('ec2', 'CreateLaunchTemplateVersion', { LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-0000000000000gone' } }));

    // Assess
    expect(error.name).toBe('InvalidAMIID.NotFound');
  });

  it('refuses an unknown launch template name', () => {
    // Prepare
    const account = templateAccount();

    // Act
    const error = errorOf(() => account.call('ec2', 'DescribeLaunchTemplates', { LaunchTemplateNames: ['nope'] }));

    // Assess
    expect(error.name).toBe('InvalidLaunchTemplateName.NotFoundException');
  });
});

describe('the account model boundary', () => {
  it('refuses an operation it does not implement instead of answering something', () => {
    // Prepare
    const account = new AccountModel();

    // Act
    const calling = (): unknown => account.call('ec2', 'DescribeVpcs', {});

    // Assess
    expect(calling).toThrow(UnsupportedOperationError);
    expect(calling).toThrow('The account model does not implement ec2:DescribeVpcs');
  });

  it('tags instances, images and launch templates with CreateTags and refuses unknown ids', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    account.call('ec2', 'CreateTags', { Resources: [INSTANCE_ID, 'ami-0abcdef1234567890'], Tags: [{ Key: 'ena-guard:exempt', Value: 'vendor appliance' }] });
    const error = errorOf(() => account.call('ec2', 'CreateTags', { Resources: ['i-0ffffffffffffffff'], Tags: [{ Key: 'a', Value: 'b' }] }));

    // Assess
    expect(account.ec2.instance(INSTANCE_ID)?.Tags).toContainEqual({ Key: 'ena-guard:exempt', Value: 'vendor appliance' });
    expect(account.ec2.image('ami-0abcdef1234567890')?.Tags).toContainEqual({ Key: 'ena-guard:exempt', Value: 'vendor appliance' });
    expect(error.name).toBe('InvalidID');
  });

  it('describes tags by resource and key, as DescribeTags does, with wildcards and pages', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { Tags: [{ Key: 'Name', Value: 'web-1' }] } });
    account.call('ec2', 'CreateTags', { Resources: [INSTANCE_ID, 'ami-0abcdef1234567890'], Tags: [{ Key: 'ena-guard:exempt', Value: 'vendor appliance' }] });
    const tags = (filters: { Name: string; Values: string[] }[], extra: Record<string, unknown> = {}): DescribeTagsCommandOutput =>
      account.call('ec2', 'DescribeTags', { Filters: filters, ...extra }) as DescribeTagsCommandOutput;

    // Act
    const exemption = tags([
      { Name: 'resource-id', Values: [INSTANCE_ID] },
      { Name: 'key', Values: ['ena-guard:exempt'] },
    ]);
    const absent = tags([
      { Name: 'resource-id', Values: [INSTANCE_ID] },
      { Name: 'key', Values: ['other'] },
    ]);
    const images = tags([{ Name: 'resource-type', Values: ['image'] }]);
    const wild = tags([{ Name: 'tag:Name', Values: ['web-*'] }]);
    account.call('ec2', 'CreateTags', { Resources: [INSTANCE_ID], Tags: ['a', 'b', 'c', 'd'].map((k) => ({ Key: k, Value: k })) });
    const first = tags([], { MaxResults: 5 });
    const second = tags([], { MaxResults: 5, NextToken: first.NextToken });
    const bad = errorOf(() => tags([{ Name: 'owner', Values: ['x'] }]));

    // Assess
    expect(exemption.Tags).toEqual([{ Key: 'ena-guard:exempt', ResourceId: INSTANCE_ID, ResourceType: 'instance', Value: 'vendor appliance' }]);
    expect(absent.Tags).toEqual([]);
    expect(images.Tags?.map((t) => t.ResourceId)).toEqual(['ami-0abcdef1234567890']);
    expect(wild.Tags?.map((t) => [t.ResourceId, t.Value])).toEqual([[INSTANCE_ID, 'web-1']]);
    expect(first.Tags?.map((t) => t.Key)).toEqual(['Name', 'ena-guard:exempt', 'a', 'b', 'c']);
    expect(second.Tags?.map((t) => [t.Key, t.ResourceType])).toEqual([
      ['d', 'instance'],
      ['ena-guard:exempt', 'image'],
    ]);
    expect(second.NextToken).toBeUndefined();
    expect(bad.name).toBe('InvalidParameterValue');
  });

  it('stops describing the tags of a deregistered image', () => {
    // Prepare
    const account = singleInstanceAccount();
    account.call('ec2', 'CreateTags', { Resources: ['ami-0abcdef1234567890'], Tags: [{ Key: 'k', Value: 'v' }] });

    // Act
    account.call('ec2', 'DeregisterImage', { ImageId: 'ami-0abcdef1234567890' });
    const output = account.call('ec2', 'DescribeTags', { Filters: [{ Name: 'resource-type', Values: ['image'] }] }) as DescribeTagsCommandOutput;

    // Assess
    expect(output.Tags).toEqual([]);
  });
});

import type { DescribeInstanceInformationCommandOutput, GetCommandInvocationCommandOutput, ListInventoryEntriesCommandOutput, SendCommandCommandOutput } from '@aws-sdk/client-ssm';
import { SSMServiceException } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { ENA_DRIVER_INVENTORY_FIELDS, parseEnaDriverInventoryEntry } from '../../rules/inventory.js';
import { AccountModel, ENA_INVENTORY_TYPE, loadDocument, simulate } from '../../src/simulator/index.js';
import { INSTANCE_ID, INSTANCE_TYPES, LINUX_WITHOUT_DRIVER, LINUX_WITH_DRIVER, WINDOWS_2012_R2, documentPath, instance, instanceInformation, reservation, singleInstanceAccount } from './fixtures.js';

function ssmErrorOf(run: () => unknown): SSMServiceException {
  try {
    run();
  } catch (error) {
    if (error instanceof SSMServiceException) return error;
    throw error;
  }
  throw new Error('expected an SSM error');
}

describe('managed instances', () => {
  it('lists managed instances with platform and ping status, from the snapshot’s instance information', () => {
    // Prepare
    const account = AccountModel.fromSnapshot({
      instanceTypes: INSTANCE_TYPES,
      reservations: [reservation('r-1', [instance({ InstanceId: 'i-0000000000000000a' }), instance({ InstanceId: 'i-0000000000000000b', Platform: 'windows' as never })])],
      instanceInformation: [instanceInformation('i-0000000000000000b', 'Windows')],
    });

    // Act
    const output = account.call('ssm', 'DescribeInstanceInformation', {}) as DescribeInstanceInformationCommandOutput;

    // Assess
    expect(output.InstanceInformationList).toEqual([
      expect.objectContaining({ InstanceId: 'i-0000000000000000b', PingStatus: 'Online', PlatformType: 'Windows', PlatformName: 'Microsoft Windows Server 2019 Datacenter', PlatformVersion: '2019' }),
    ]);
  });

  it('reports ConnectionLost for a stopped instance and filters on PingStatus', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { State: { Code: 80, Name: 'stopped' } } });

    // Act
    const online = account.call('ssm', 'DescribeInstanceInformation', { Filters: [{ Key: 'PingStatus', Values: ['Online'] }] }) as DescribeInstanceInformationCommandOutput;
    const all = account.call('ssm', 'DescribeInstanceInformation', {}) as DescribeInstanceInformationCommandOutput;

    // Assess
    expect(online.InstanceInformationList).toEqual([]);
    expect(all.InstanceInformationList?.[0]?.PingStatus).toBe('ConnectionLost');
  });
});

describe('Run Command against the guest model', () => {
  it('runs a registered script behaviour and reports its output', () => {
    // Prepare
    const account = singleInstanceAccount();
    account.guest(INSTANCE_ID).onScript('modinfo ena', () => ({ stdout: 'version: 2.8.1g' }));

    // Act
    const sent = account.call('ssm', 'SendCommand', { DocumentName: 'AWS-RunShellScript', InstanceIds: [INSTANCE_ID], Parameters: { commands: ['modinfo ena | grep ^version'] } }) as SendCommandCommandOutput;
    const commandId = sent.Command?.CommandId ?? '';
    const during = account.call('ssm', 'GetCommandInvocation', { CommandId: commandId, InstanceId: INSTANCE_ID }) as GetCommandInvocationCommandOutput;
    account.clock.advance(5_000);
    const after = account.call('ssm', 'GetCommandInvocation', { CommandId: commandId, InstanceId: INSTANCE_ID }) as GetCommandInvocationCommandOutput;

    // Assess
    expect(during.Status).toBe('InProgress');
    expect(after).toMatchObject({ Status: 'Success', ResponseCode: 0, StandardOutputContent: 'version: 2.8.1g' });
  });

  it('runs a Command document a test registers', () => {
    // Prepare
    const account = singleInstanceAccount();
    account.ssm.registerCommandDocument('EnaGuard-Probe', (parameters) => ({ status: 'Success', responseCode: 0, stdout: `probe ${parameters['target']?.[0] ?? ''}`, stderr: '', durationSeconds: 2, reboot: false }));

    // Act
    const sent = account.call('ssm', 'SendCommand', { DocumentName: 'EnaGuard-Probe', InstanceIds: [INSTANCE_ID], Parameters: { target: ['eth0'] } }) as SendCommandCommandOutput;
    account.clock.advance(2_000);
    const invocation = account.call('ssm', 'GetCommandInvocation', { CommandId: sent.Command?.CommandId, InstanceId: INSTANCE_ID }) as GetCommandInvocationCommandOutput;

    // Assess
    expect(invocation).toMatchObject({ Status: 'Success', StandardOutputContent: 'probe eth0' });
  });

  it('refuses more than 50 instances in one SendCommand', () => {
    // Prepare
    const account = singleInstanceAccount();
    const ids = Array.from({ length: 51 }, () => INSTANCE_ID);

    // Act
    const error = ssmErrorOf(() => account.call('ssm', 'SendCommand', { DocumentName: 'AWS-RunShellScript', InstanceIds: ids, Parameters: { commands: ['true'] } }));

    // Assess
    expect(error.name).toBe('ValidationException');
  });

  it('refuses an unmanaged instance with InvalidInstanceId and an unknown document with InvalidDocument', () => {
    // Prepare
    const account = singleInstanceAccount({ guest: { ...LINUX_WITH_DRIVER, ssmAgent: false } });

    // Act
    const unmanaged = ssmErrorOf(() => account.call('ssm', 'SendCommand', { DocumentName: 'AWS-RunShellScript', InstanceIds: [INSTANCE_ID] }));
    const unknown = ssmErrorOf(() => account.call('ssm', 'SendCommand', { DocumentName: 'AWS-DoSomething', InstanceIds: [INSTANCE_ID] }));

    // Assess
    expect(unmanaged.name).toBe('InvalidInstanceId');
    expect(unknown.name).toBe('InvalidDocument');
  });

  it('times out delivery to an instance whose agent cannot be reached', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { State: { Code: 80, Name: 'stopped' } } });

    // Act
    const sent = account.call('ssm', 'SendCommand', { DocumentName: 'AWS-RunShellScript', InstanceIds: [INSTANCE_ID], TimeoutSeconds: 600, Parameters: { commands: ['true'] } }) as SendCommandCommandOutput;
    account.clock.advance(600_000);
    const invocation = account.call('ssm', 'GetCommandInvocation', { CommandId: sent.Command?.CommandId, InstanceId: INSTANCE_ID }) as GetCommandInvocationCommandOutput;

    // Assess
    expect(invocation).toMatchObject({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut' });
  });

  it('installs a Windows driver version the OS can run, effective only after a reboot', () => {
    // Prepare
    const account = singleInstanceAccount({ guest: WINDOWS_2012_R2, instance: { Platform: 'windows' as never } });
    const guest = account.guest(INSTANCE_ID);

    // Act
    account.call('ssm', 'SendCommand', { DocumentName: 'AWS-ConfigureAWSPackage', InstanceIds: [INSTANCE_ID], Parameters: { action: ['Install'], name: ['AwsEnaNetworkDriver'], version: ['2.6.0'] } });
    account.clock.advance(60_000);
    const beforeReboot = guest.runningDriver.version;
    account.call('ec2', 'RebootInstances', { InstanceIds: [INSTANCE_ID] });
    account.clock.advance(30_000);

    // Assess
    expect(beforeReboot).toBe('2.2.3');
    expect(guest.runningDriver.version).toBe('2.6.0');
  });

  it('refuses a Windows driver version the OS cannot run', () => {
    // Prepare
    const account = singleInstanceAccount({ guest: WINDOWS_2012_R2, instance: { Platform: 'windows' as never } });

    // Act
    const sent = account.call('ssm', 'SendCommand', {
      DocumentName: 'AWS-ConfigureAWSPackage',
      InstanceIds: [INSTANCE_ID],
      Parameters: { action: ['Install'], name: ['AwsEnaNetworkDriver'], version: ['2.7.0'] },
    }) as SendCommandCommandOutput;
    account.clock.advance(60_000);
    const invocation = account.call('ssm', 'GetCommandInvocation', { CommandId: sent.Command?.CommandId, InstanceId: INSTANCE_ID }) as GetCommandInvocationCommandOutput;

    // Assess
    expect(invocation.Status).toBe('Failed');
    expect(invocation.StandardErrorContent).toMatch(/does not support Windows Server 2012 R2 \(at most 2.6.0\)/);
    expect(account.guest(INSTANCE_ID).installedDriver.version).toBe('2.2.3');
  });

  it('refuses the Windows driver package on Linux', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const sent = account.call('ssm', 'SendCommand', { DocumentName: 'AWS-ConfigureAWSPackage', InstanceIds: [INSTANCE_ID], Parameters: { action: ['Install'], name: ['AwsEnaNetworkDriver'] } }) as SendCommandCommandOutput;
    account.clock.advance(60_000);
    const invocation = account.call('ssm', 'GetCommandInvocation', { CommandId: sent.Command?.CommandId, InstanceId: INSTANCE_ID }) as GetCommandInvocationCommandOutput;

    // Assess
    expect(invocation.Status).toBe('Failed');
  });

  it('applies a kernel update only after the reboot a script asks for', () => {
    // Prepare
    const account = singleInstanceAccount({ guest: { ...LINUX_WITH_DRIVER, enaDriver: { present: true, source: 'in-tree' } } });
    account.guest(INSTANCE_ID).onScript('yum update -y kernel', ({ guest }) => {
      guest.installKernel('4.14.362-276.579.amzn2.x86_64');
      return { stdout: 'Complete!', reboot: true, durationSeconds: 120 };
    });

    // Act
    account.call('ssm', 'SendCommand', { DocumentName: 'AWS-RunShellScript', InstanceIds: [INSTANCE_ID], Parameters: { commands: ['yum update -y kernel'] } });
    account.clock.advance(60_000);
    const midway = account.guest(INSTANCE_ID).kernelRelease;
    account.clock.advance(200_000);

    // Assess
    expect(midway).toBe('4.14.355-275.570.amzn2.x86_64');
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe('4.14.362-276.579.amzn2.x86_64');
  });
});

describe('custom inventory', () => {
  it('writes Custom:EnaDriver with every field as a string from the guest model', () => {
    // Prepare
    const account = singleInstanceAccount({ instance: { EnaSupport: true } });

    // Act
    account.call('ssm', 'SendCommand', { DocumentName: 'EnaGuard-CollectEnaDriverInventory', InstanceIds: [INSTANCE_ID] });
    account.clock.advance(10_000);
    const output = account.call('ssm', 'ListInventoryEntries', { InstanceId: INSTANCE_ID, TypeName: ENA_INVENTORY_TYPE }) as ListInventoryEntriesCommandOutput;

    // Assess
    const entry = output.Entries?.[0] ?? {};
    expect(Object.keys(entry)).toEqual([...ENA_DRIVER_INVENTORY_FIELDS]);
    expect(Object.values(entry).every((v) => typeof v === 'string')).toBe(true);
    expect(entry).toMatchObject({ DriverPresent: 'true', DriverLoaded: 'true', InterfaceDriver: 'ena', DriverVersion: '2.8.1g', DriverVersionSource: 'modinfo', DriverBuild: 'out-of-tree', OsId: 'amzn' });
    expect(parseEnaDriverInventoryEntry(entry)).toMatchObject({ ok: true, value: { driverPresent: true, driverVersion: '2.8.1g', driverBuild: 'out-of-tree' } });
  });

  it('reports the kernel release through ethtool as the version of a loaded in-tree driver', () => {
    // Prepare
    const account = singleInstanceAccount({ guest: { ...LINUX_WITH_DRIVER, enaDriver: { present: true, source: 'in-tree' } }, instance: { EnaSupport: true } });

    // Act
    account.call('ssm', 'SendCommand', { DocumentName: 'EnaGuard-CollectEnaDriverInventory', InstanceIds: [INSTANCE_ID] });
    account.clock.advance(10_000);

    // Assess
    expect(account.ssm.inventoryEntries(INSTANCE_ID, ENA_INVENTORY_TYPE)[0]).toMatchObject({ DriverVersion: LINUX_WITH_DRIVER.kernelRelease, DriverVersionSource: 'ethtool', DriverBuild: 'in-tree', DriverLoaded: 'true', InterfaceDriver: 'ena' });
  });

  it('writes what the project’s inventory parser accepts for a Windows guest and for a guest without a driver', () => {
    // Prepare
    const windows = singleInstanceAccount({ guest: WINDOWS_2012_R2, instance: { Platform: 'windows' as never } });
    const bare = singleInstanceAccount({ guest: LINUX_WITHOUT_DRIVER });

    // Act
    for (const account of [windows, bare]) {
      account.call('ssm', 'SendCommand', { DocumentName: 'EnaGuard-CollectEnaDriverInventory', InstanceIds: [INSTANCE_ID] });
      account.clock.advance(10_000);
    }

    // Assess
    expect(parseEnaDriverInventoryEntry(windows.ssm.inventoryEntries(INSTANCE_ID, ENA_INVENTORY_TYPE)[0])).toMatchObject({
      ok: true,
      value: { osFamily: 'windows', driverVersion: '2.2.3', driverVersionSource: 'windows-adapter', driverBuild: 'windows', kernelRelease: undefined, osVersion: '6.3.9600' },
    });
    expect(parseEnaDriverInventoryEntry(bare.ssm.inventoryEntries(INSTANCE_ID, ENA_INVENTORY_TYPE)[0])).toMatchObject({
      ok: true,
      value: { driverPresent: false, driverVersion: undefined, driverVersionSource: 'none', driverBuild: 'unknown', interfaceDriver: 'vif' },
    });
  });

  it('refuses non-string values in PutInventory and a type name outside AWS: or Custom:', () => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const badValue = ssmErrorOf(() => account.call('ssm', 'PutInventory', { InstanceId: INSTANCE_ID, Items: [{ TypeName: ENA_INVENTORY_TYPE, SchemaVersion: '1.0', CaptureTime: '2026-03-02T09:00:00Z', Content: [{ DriverPresent: true }] }] }));
    const badType = ssmErrorOf(() => account.call('ssm', 'ListInventoryEntries', { InstanceId: INSTANCE_ID, TypeName: 'EnaDriver' }));

    // Assess
    expect(badValue.name).toBe('InvalidItemContentException');
    expect(badType.name).toBe('InvalidTypeNameException');
  });

  it('collects inventory through aws:runCommand and reads it back with aws:executeAwsApi', async () => {
    // Prepare
    const document = await loadDocument(documentPath('collect-inventory.yaml'));
    const account = singleInstanceAccount({ guest: LINUX_WITHOUT_DRIVER });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs).toEqual({ 'readInventory.DriverVersion': '', 'readInventory.DriverLoaded': 'false' });
  });
});

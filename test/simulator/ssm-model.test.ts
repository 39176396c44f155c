import type {
  DescribeAssociationCommandOutput,
  DescribeInstanceInformationCommandOutput,
  GetCommandInvocationCommandOutput,
  ListAssociationsCommandOutput,
  ListInventoryEntriesCommandOutput,
  SendCommandCommandOutput,
} from '@aws-sdk/client-ssm';
import { SSMServiceException } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { ENA_DRIVER_INVENTORY_FIELDS, parseEnaDriverInventoryEntry } from '../../rules/inventory.js';
import { AccountModel, ENA_INVENTORY_TYPE, INVENTORY_GATHER_SECONDS, SimulatorError, loadDocument, simulate, type AccountSnapshot } from '../../src/simulator/index.js';
import {
  INSTANCE_ID,
  INSTANCE_TYPES,
  INVENTORY_ASSOCIATION_ID,
  LINUX_WITHOUT_DRIVER,
  LINUX_WITH_DRIVER,
  WINDOWS_2012_R2,
  documentPath,
  instance,
  instanceInformation,
  inventoryAssociation,
  reservation,
  singleInstanceAccount,
} from './fixtures.js';

/** The Custom:EnaDriver entry the collector wrote into the guest's custom inventory folder. */
function collectorFile(account: AccountModel): Readonly<Record<string, string>> | undefined {
  return account.guest(INSTANCE_ID).customInventory(ENA_INVENTORY_TYPE)?.content[0];
}

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
    const account = singleInstanceAccount({ instance: { EnaSupport: true }, snapshot: { associations: [inventoryAssociation()] } });

    // Act
    account.call('ssm', 'SendCommand', { DocumentName: 'EnaGuard-CollectEnaDriverInventory', InstanceIds: [INSTANCE_ID] });
    account.clock.advance(10_000);
    account.call('ssm', 'StartAssociationsOnce', { AssociationIds: [INVENTORY_ASSOCIATION_ID] });
    account.clock.advance(INVENTORY_GATHER_SECONDS * 1000);
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
    expect(collectorFile(account)).toMatchObject({ DriverVersion: LINUX_WITH_DRIVER.kernelRelease, DriverVersionSource: 'ethtool', DriverBuild: 'in-tree', DriverLoaded: 'true', InterfaceDriver: 'ena' });
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
    expect(parseEnaDriverInventoryEntry(collectorFile(windows))).toMatchObject({
      ok: true,
      value: { osFamily: 'windows', driverVersion: '2.2.3', driverVersionSource: 'windows-adapter', driverBuild: 'windows', kernelRelease: undefined, osVersion: '6.3.9600' },
    });
    expect(parseEnaDriverInventoryEntry(collectorFile(bare))).toMatchObject({
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
    const account = singleInstanceAccount({ guest: LINUX_WITHOUT_DRIVER, snapshot: { associations: [inventoryAssociation()] } });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID, InventoryAssociationId: INVENTORY_ASSOCIATION_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs).toEqual({ 'readInventory.DriverVersion': '', 'readInventory.DriverLoaded': 'false' });
  });
});

describe('inventory associations', () => {
  const PREVIOUS = { DriverVersion: '2.1.3g', CollectedAt: '2026-03-01T09:00:00Z' };

  /** An account whose instance already has a gathered Custom:EnaDriver entry, with the given associations. */
  function accountWithInventory(associations = [inventoryAssociation()], extra: Partial<AccountSnapshot> = {}): AccountModel {
    return singleInstanceAccount({ instance: { EnaSupport: true }, snapshot: { inventory: { [INSTANCE_ID]: { [ENA_INVENTORY_TYPE]: [PREVIOUS] } }, associations, ...extra } });
  }

  function runCollector(account: AccountModel, instanceIds: readonly string[] = [INSTANCE_ID]): void {
    account.call('ssm', 'SendCommand', { DocumentName: 'EnaGuard-CollectEnaDriverInventory', InstanceIds: [...instanceIds] });
    account.clock.advance(10_000);
  }

  function listed(account: AccountModel, instanceId = INSTANCE_ID): ListInventoryEntriesCommandOutput {
    return account.call('ssm', 'ListInventoryEntries', { InstanceId: instanceId, TypeName: ENA_INVENTORY_TYPE }) as ListInventoryEntriesCommandOutput;
  }

  it('keeps returning the previously gathered entry while the collector’s new file waits on the guest', () => {
    // Prepare
    const account = accountWithInventory();

    // Act
    runCollector(account);
    account.clock.advance(6 * 3600 * 1000);
    const output = listed(account);

    // Assess
    expect(collectorFile(account)).toMatchObject({ DriverVersion: '2.8.1g', CollectedAt: '2026-03-02T09:00:00Z' });
    expect(account.guest(INSTANCE_ID).customInventory(ENA_INVENTORY_TYPE)?.writtenAt).toBe('2026-03-02T09:00:10.000Z');
    expect(output.Entries).toEqual([PREVIOUS]);
    expect(account.ssm.inventoryEntries(INSTANCE_ID, ENA_INVENTORY_TYPE)).toEqual([PREVIOUS]);
  });

  it('publishes the file as written once StartAssociationsOnce has run the gather, not before', () => {
    // Prepare
    const account = accountWithInventory();
    runCollector(account);

    // Act
    const started = account.call('ssm', 'StartAssociationsOnce', { AssociationIds: [INVENTORY_ASSOCIATION_ID] });
    account.clock.advance(INVENTORY_GATHER_SECONDS * 1000 - 1000);
    const during = listed(account);
    account.clock.advance(1000);
    const after = listed(account);

    // Assess
    expect(started).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(during.Entries).toEqual([PREVIOUS]);
    expect(after.Entries).toEqual([collectorFile(account)]);
    expect(after.Entries?.[0]).toMatchObject({ DriverVersion: '2.8.1g', CollectedAt: '2026-03-02T09:00:00Z' });
    expect(after.CaptureTime).toBe('2026-03-02T09:01:10Z');
  });

  it('does not gather an instance whose agent is offline when the association starts, or goes offline before the gather ends', () => {
    // Prepare
    const ids = ['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa2', 'i-0aaaaaaaaaaaaaaa3'];
    const account = AccountModel.fromSnapshot({
      startTime: '2026-03-02T09:00:00Z',
      instanceTypes: INSTANCE_TYPES,
      reservations: [reservation('r-1', ids.map((id) => instance({ InstanceId: id, EnaSupport: true })))],
      guests: Object.fromEntries(ids.map((id) => [id, LINUX_WITH_DRIVER])),
      associations: [inventoryAssociation()],
    });
    runCollector(account, ids);
    const [online, offline, dropsOut] = ids.map((id) => account.guest(id));

    // Act
    offline?.stopAgent();
    account.call('ssm', 'StartAssociationsOnce', { AssociationIds: [INVENTORY_ASSOCIATION_ID] });
    account.clock.advance(30_000);
    dropsOut?.stopAgent();
    account.clock.advance(30_000);
    offline?.startAgent();
    dropsOut?.startAgent();
    account.clock.advance(3600_000);

    // Assess
    expect(online?.customInventory(ENA_INVENTORY_TYPE)).toBeDefined();
    expect(listed(account, 'i-0aaaaaaaaaaaaaaa1').Entries).toHaveLength(1);
    expect(listed(account, 'i-0aaaaaaaaaaaaaaa2').Entries).toEqual([]);
    expect(listed(account, 'i-0aaaaaaaaaaaaaaa3').Entries).toEqual([]);
  });

  it('refuses an unknown association id with AssociationDoesNotExist, and starts none of the ids given', () => {
    // Prepare
    const account = accountWithInventory();
    runCollector(account);
    const unknown = '11111111-2222-4333-8444-555555555555';

    // Act
    const started = ssmErrorOf(() => account.call('ssm', 'StartAssociationsOnce', { AssociationIds: [INVENTORY_ASSOCIATION_ID, unknown] }));
    const described = ssmErrorOf(() => account.call('ssm', 'DescribeAssociation', { AssociationId: unknown }));
    account.clock.advance(3600_000);

    // Assess
    expect(started.name).toBe('AssociationDoesNotExist');
    expect(started.message).toContain(unknown);
    expect(described.name).toBe('AssociationDoesNotExist');
    expect(listed(account).Entries).toEqual([PREVIOUS]);
  });

  it('gathers only the instances the association targets by tag, and no custom inventory when customInventory is Disabled', () => {
    // Prepare
    const tagged = accountWithInventory([inventoryAssociation({ Targets: [{ Key: 'tag:Environment', Values: ['prod'] }] })], {
      reservations: [reservation('r-1', [instance({ InstanceId: INSTANCE_ID, EnaSupport: true, Tags: [{ Key: 'Environment', Value: 'test' }] })])],
    });
    const disabled = accountWithInventory([inventoryAssociation({ Parameters: { customInventory: ['Disabled'] } })]);
    const byTag = accountWithInventory([inventoryAssociation({ Targets: [{ Key: 'tag:Environment', Values: ['test'] }] })], {
      reservations: [reservation('r-1', [instance({ InstanceId: INSTANCE_ID, EnaSupport: true, Tags: [{ Key: 'Environment', Value: 'test' }] })])],
    });

    // Act
    for (const account of [tagged, disabled, byTag]) {
      runCollector(account);
      account.call('ssm', 'StartAssociationsOnce', { AssociationIds: [INVENTORY_ASSOCIATION_ID] });
      account.clock.advance(INVENTORY_GATHER_SECONDS * 1000);
    }

    // Assess
    expect(listed(tagged).Entries).toEqual([PREVIOUS]);
    expect(listed(disabled).Entries).toEqual([PREVIOUS]);
    expect(listed(byTag).Entries?.[0]).toMatchObject({ DriverVersion: '2.8.1g' });
  });

  it('describes and lists associations, Pending while a gather runs and Success after it', () => {
    // Prepare
    const account = accountWithInventory();

    // Act
    account.call('ssm', 'StartAssociationsOnce', { AssociationIds: [INVENTORY_ASSOCIATION_ID] });
    const running = account.call('ssm', 'DescribeAssociation', { AssociationId: INVENTORY_ASSOCIATION_ID }) as DescribeAssociationCommandOutput;
    account.clock.advance(INVENTORY_GATHER_SECONDS * 1000);
    const done = account.call('ssm', 'DescribeAssociation', { AssociationId: INVENTORY_ASSOCIATION_ID }) as DescribeAssociationCommandOutput;
    const byName = account.call('ssm', 'ListAssociations', { AssociationFilterList: [{ key: 'Name', value: 'AWS-GatherSoftwareInventory' }] }) as ListAssociationsCommandOutput;
    const none = account.call('ssm', 'ListAssociations', { AssociationFilterList: [{ key: 'Name', value: 'AWS-RunPatchBaseline' }] }) as ListAssociationsCommandOutput;
    const badFilter = ssmErrorOf(() => account.call('ssm', 'ListAssociations', { AssociationFilterList: [{ key: 'LastExecutedBefore', value: '2026-03-02T09:00:00Z' }] }));

    // Assess
    expect(running.AssociationDescription).toMatchObject({ AssociationId: INVENTORY_ASSOCIATION_ID, Name: 'AWS-GatherSoftwareInventory', Parameters: { customInventory: ['Enabled'] }, Overview: { Status: 'Pending' } });
    expect(done.AssociationDescription).toMatchObject({ Overview: { Status: 'Success' }, LastExecutionDate: new Date('2026-03-02T09:01:00Z') });
    expect(byName.Associations?.map((a) => a.AssociationId)).toEqual([INVENTORY_ASSOCIATION_ID]);
    expect(none.Associations).toEqual([]);
    expect(badFilter.name).toBe('ValidationException');
  });

  it('refuses to start an association of a document it does not model, and seeded targets it cannot match', () => {
    // Prepare
    const patching = accountWithInventory([inventoryAssociation({ Name: 'AWS-RunPatchBaseline', Parameters: { Operation: ['Install'] } })]);

    // Act
    const start = (): unknown => patching.call('ssm', 'StartAssociationsOnce', { AssociationIds: [INVENTORY_ASSOCIATION_ID] });
    const seed = (): unknown => accountWithInventory([inventoryAssociation({ Targets: [{ Key: 'resource-groups:Name', Values: ['fleet'] }] })]);

    // Assess
    expect(start).toThrow(SimulatorError);
    expect(start).toThrow(/models only AWS-GatherSoftwareInventory/);
    expect(seed).toThrow(/target key resource-groups:Name is not modelled/);
  });
});

/**
 * EnaGuard-UpdateEnaDriver, run by the simulator exactly as it is deployed: the happy paths on
 * Windows and Linux, the no-op paths, every refusal, the verification failures, and a fault matrix
 * over every AWS call of each happy path. Auto Scaling members: update-ena-driver-autoscaling.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Faults, ParameterError, type AccountModel, type AutomationDocument, type FaultPoint, type FaultRule, type GuestSpec } from '../../src/simulator/index.js';
import {
  AMAZON_LINUX_1,
  AMAZON_LINUX_2023_CURRENT,
  AMAZON_LINUX_2023_WITHOUT_DRIVER,
  AMAZON_LINUX_2_CURRENT,
  AMAZON_LINUX_2_OLD_KERNEL,
  CENTOS_7,
  INSTANCE_ID,
  INVENTORY_ASSOCIATION_ID,
  RHEL_82_OLD_KERNEL,
  SLES_15_SP2_OLD_KERNEL,
  UBUNTU_2004_OLD_KERNEL,
  UPDATE_COMMANDS,
  WINDOWS_2008_R2_OLD_DRIVER,
  WINDOWS_2012_R2_OLD_DRIVER,
  WINDOWS_2019_CURRENT,
  WINDOWS_2022_OLD_DRIVER,
  accountFor,
  agentStopsAfterLaterCollectorRuns,
  answersKernelCheck,
  changesMade,
  collectorChangingLaterRuns,
  commandsSent,
  imagesCreated,
  installsKernel,
  inventoryNow,
  invariantViolations,
  loadRunbook,
  packageInstallThatDoesNothing,
  run,
  stepsRun,
  windows,
  type Scenario,
} from './update-ena-driver-fixtures.js';

let runbook: AutomationDocument;

beforeAll(async () => {
  runbook = await loadRunbook();
});

/** The happy paths the fault matrix walks. */
const HAPPY_PATHS: readonly { readonly name: string; readonly scenario: Scenario; readonly updatedTo: { driverVersion?: string; kernelRelease?: string } }[] = [
  { name: 'Windows Server 2022', scenario: { guest: WINDOWS_2022_OLD_DRIVER }, updatedTo: { driverVersion: '2.11.0' } },
  { name: 'Windows Server 2012 R2', scenario: { guest: WINDOWS_2012_R2_OLD_DRIVER }, updatedTo: { driverVersion: '2.6.0' } },
  {
    name: 'Amazon Linux 2',
    scenario: {
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.yum, '4.14.355-275.570.amzn2.x86_64', { present: true, version: '2.8.1g', source: 'out-of-tree' });
      },
    },
    updatedTo: { driverVersion: '2.8.1g', kernelRelease: '4.14.355-275.570.amzn2.x86_64' },
  },
  {
    name: 'Ubuntu 20.04',
    scenario: {
      guest: UBUNTU_2004_OLD_KERNEL,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.apt, '5.4.0-1103-aws');
      },
    },
    updatedTo: { kernelRelease: '5.4.0-1103-aws' },
  },
  {
    name: 'Amazon Linux 2 in Standby in an Auto Scaling group',
    scenario: {
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      autoScaling: { LifecycleState: 'Standby' },
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.yum, '4.14.355-275.570.amzn2.x86_64', { present: true, version: '2.8.1g', source: 'out-of-tree' });
      },
    },
    updatedTo: { driverVersion: '2.8.1g', kernelRelease: '4.14.355-275.570.amzn2.x86_64' },
  },
];

function happyPath(name: string): Scenario {
  const found = HAPPY_PATHS.find((path) => path.name === name);
  if (found === undefined) throw new Error(`no happy path ${name}`);
  return found.scenario;
}

/** Asserts that a run refused before changing anything, with a message matching `reason`. */
function expectRefusedWithoutChanges(account: AccountModel, result: Awaited<ReturnType<typeof run>>, step: string, reason: RegExp): void {
  expect(result.status).toBe('Failed');
  expect(stepsRun(result).at(-1)).toBe(step);
  expect(result.failureMessage).toMatch(new RegExp(`^Step ${step} failed: `));
  expect(result.failureMessage).toMatch(reason);
  expect(result.failureMessage).toMatch(/Nothing was changed\./);
  expect(changesMade(account)).toEqual([]);
}

describe('EnaGuard-UpdateEnaDriver on Windows', () => {
  it('backs up, installs the newest AwsEnaNetworkDriver on Windows Server 2022, reboots, and the collector then reports 2.11.0', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2022'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    const install = commandsSent(account).find(({ document }) => document === 'AWS-ConfigureAWSPackage');
    expect(install?.parameters).toEqual({ action: ['Install'], name: ['AwsEnaNetworkDriver'] });
    expect(stepsRun(result)).toContain('installWindowsDriverLatest');
    expect(inventoryNow(account)).toMatchObject({ driverPresent: true, driverVersion: '2.11.0', interfaceDriver: 'ena', osFamily: 'windows' });
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe('2.11.0');
    const [backup] = imagesCreated(account);
    expect(result.outputs).toEqual({ 'createBackupImage.ImageId': backup, 'reportUpdated.DriverVersion': '2.11.0', 'reportUpdated.KernelRelease': '' });
    expect(account.ec2.image(backup ?? '')).toMatchObject({ State: 'available', Tags: expect.arrayContaining([{ Key: 'ena-guard:backup-of', Value: INSTANCE_ID }]) });
  });

  it('takes the backup image with a reboot, before installing anything, and reboots once more to load the driver', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2022'));

    // Act
    await run(runbook, account);

    // Assess
    const calls = account.calls.calls();
    const createImage = calls.find((call) => call.operation === 'CreateImage');
    const install = calls.find((call) => call.operation === 'SendCommand' && (call.input as { DocumentName: string }).DocumentName === 'AWS-ConfigureAWSPackage');
    const reboot = calls.find((call) => call.operation === 'RebootInstances');
    expect(createImage?.input).toMatchObject({ InstanceId: INSTANCE_ID, NoReboot: false });
    expect(createImage?.seq).toBeLessThan(install?.seq ?? 0);
    expect(install?.seq).toBeLessThan(reboot?.seq ?? 0);
    expect(account.calls.calls({ operation: 'RebootInstances' })).toHaveLength(1);
  });

  it('pins the driver to 2.6.0 on Windows Server 2012 R2, the newest release it can run', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2012 R2'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    const install = commandsSent(account).find(({ document }) => document === 'AWS-ConfigureAWSPackage');
    expect(install?.parameters).toEqual({ action: ['Install'], name: ['AwsEnaNetworkDriver'], version: ['2.6.0'] });
    expect(inventoryNow(account)).toMatchObject({ driverVersion: '2.6.0', osVersion: '6.3.9600' });
    expect(result.outputs['reportUpdated.DriverVersion']).toBe('2.6.0');
  });

  it('pins the driver to 2.2.3 on Windows Server 2008 R2', async () => {
    // Prepare
    const account = accountFor({ guest: WINDOWS_2008_R2_OLD_DRIVER });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(commandsSent(account).find(({ document }) => document === 'AWS-ConfigureAWSPackage')?.parameters['version']).toEqual(['2.2.3']);
    expect(result.outputs['reportUpdated.DriverVersion']).toBe('2.2.3');
  });

  it('installs exactly the requested version when TargetWindowsDriverVersion is set', async () => {
    // Prepare
    const account = accountFor({ guest: windows('2019', '2.2.3') });

    // Act
    const result = await run(runbook, account, { TargetWindowsDriverVersion: '2.9.0' });

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result)).toContain('installWindowsDriverRequested');
    expect(commandsSent(account).find(({ document }) => document === 'AWS-ConfigureAWSPackage')?.parameters['version']).toEqual(['2.9.0']);
    expect(result.outputs['reportUpdated.DriverVersion']).toBe('2.9.0');
  });

  it.each([
    { names: 'Windows Server 2008 R2 by its version 6.1', platformName: 'Microsoft Windows Server Datacenter', platformVersion: '6.1.7601', installs: '2.2.3' },
    { names: 'Windows Server 2012 by its version 6.2', platformName: 'Microsoft Windows Server Standard', platformVersion: '6.2.9200', installs: '2.6.0' },
    { names: 'Windows Server 2012 R2 by its version 6.3', platformName: 'Microsoft Windows Server Datacenter', platformVersion: '6.3.9600', installs: '2.6.0' },
    { names: 'Windows Server 2012 by its name', platformName: 'Microsoft Windows Server 2012 Standard', platformVersion: '2012', installs: '2.6.0' },
    { names: 'Windows Server 2019 as able to run the newest driver', platformName: 'Microsoft Windows Server 2019 Datacenter', platformVersion: '10.0.17763', installs: undefined },
  ])('recognises $names', async ({ platformName, platformVersion, installs }) => {
    // Prepare: DescribeInstanceInformation reports the guest's name and version as given.
    const account = accountFor({ guest: { ...windows('2019', '2.2.2'), osName: platformName, osVersion: platformVersion } });

    // Act
    await run(runbook, account, { CreateBackupImage: 'false' });

    // Assess
    const install = commandsSent(account).find(({ document }) => document === 'AWS-ConfigureAWSPackage');
    expect(install?.parameters['version']).toEqual(installs === undefined ? undefined : [installs]);
  });
});

describe('EnaGuard-UpdateEnaDriver on Linux', () => {
  it('updates the Amazon Linux 2 kernel with yum, reboots, and the collector then reports the new kernel and driver', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    const update = commandsSent(account).find(({ parameters }) => (parameters['commands'] ?? []).join('\n').includes(UPDATE_COMMANDS.yum));
    expect(update?.document).toBe('AWS-RunShellScript');
    expect(account.calls.calls({ operation: 'RebootInstances' })).toHaveLength(1);
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe('4.14.355-275.570.amzn2.x86_64');
    expect(inventoryNow(account)).toMatchObject({ driverVersion: '2.8.1g', driverBuild: 'out-of-tree', kernelRelease: '4.14.355-275.570.amzn2.x86_64', interfaceDriver: 'ena' });
    expect(result.outputs).toMatchObject({ 'reportUpdated.DriverVersion': '2.8.1g', 'reportUpdated.KernelRelease': '4.14.355-275.570.amzn2.x86_64' });
    expect(imagesCreated(account)).toHaveLength(1);
  });

  it('reads Custom:EnaDriver only after starting the inventory association and waiting, before and after the update', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    const result = await run(runbook, account);

    // Assess: each collector run is followed by StartAssociationsOnce, a wait and then the reads
    // (assert, read; the last one is reportUpdated's), and what the runbook judged is exactly the
    // file the guest's collector wrote after the reboot.
    const sequence = account.calls
      .calls()
      .filter((call) => ['SendCommand', 'StartAssociationsOnce', 'ListInventoryEntries'].includes(call.operation))
      .filter((call) => call.operation !== 'SendCommand' || (call.input as { DocumentName: string }).DocumentName === 'EnaGuard-CollectEnaDriverInventory')
      .map((call) => call.operation);
    expect(sequence).toEqual([
      'ListInventoryEntries',
      'SendCommand',
      'StartAssociationsOnce',
      'ListInventoryEntries',
      'ListInventoryEntries',
      'SendCommand',
      'StartAssociationsOnce',
      'ListInventoryEntries',
      'ListInventoryEntries',
      'ListInventoryEntries',
    ]);
    for (const call of account.calls.calls({ operation: 'StartAssociationsOnce' })) expect(call.input).toEqual({ AssociationIds: [INVENTORY_ASSOCIATION_ID] });
    expect(result.trace.filter((step) => step.action === 'aws:sleep').map((step) => [step.stepName, (step.endTime.getTime() - step.startTime.getTime()) / 1000])).toEqual([
      ['waitForInventoryGatherBefore', 180],
      ['waitForRebootToBegin', 120],
      ['waitForInventoryGatherAfter', 180],
    ]);
    const written = account.guest(INSTANCE_ID).customInventory('Custom:EnaDriver')?.content[0];
    expect(account.ssm.inventoryEntries(INSTANCE_ID, 'Custom:EnaDriver')).toEqual([written]);
    expect(result.trace.find((step) => step.stepName === 'readInventoryAfter')?.outputs).toMatchObject({ CollectedAt: written?.['CollectedAt'], KernelRelease: '4.14.355-275.570.amzn2.x86_64' });
  });

  it('updates an instance that had no Custom:EnaDriver entry before the run, once the association has published the collector\'s file', async () => {
    // Prepare
    const account = accountFor({ ...happyPath('Ubuntu 20.04'), previousInventory: false });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.find((step) => step.stepName === 'readInventoryPrevious')?.outputs).toEqual({ CollectedAt: [] });
    expect(result.outputs['reportUpdated.KernelRelease']).toBe('5.4.0-1103-aws');
  });

  it('installs the linux-aws kernel on Ubuntu 20.04 after apt-get update, reboots, and the collector then reports the new kernel', async () => {
    // Prepare
    const account = accountFor(happyPath('Ubuntu 20.04'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    const script = commandsSent(account)
      .map(({ parameters }) => (parameters['commands'] ?? []).join('\n'))
      .find((text) => text.includes(UPDATE_COMMANDS.apt));
    expect(script?.indexOf('apt-get update')).toBeLessThan(script?.indexOf(UPDATE_COMMANDS.apt) ?? -1);
    expect(inventoryNow(account)).toMatchObject({ driverBuild: 'in-tree', kernelRelease: '5.4.0-1103-aws', driverLoaded: true, interfaceDriver: 'ena' });
    expect(result.outputs['reportUpdated.KernelRelease']).toBe('5.4.0-1103-aws');
  });

  it.each([
    { distribution: 'Red Hat Enterprise Linux 8.2', guest: RHEL_82_OLD_KERNEL, command: UPDATE_COMMANDS.yum, step: 'updateKernelWithYum', kernel: '4.18.0-240.1.1.el8_3.x86_64' },
    { distribution: 'SUSE Linux Enterprise Server 15 SP2', guest: SLES_15_SP2_OLD_KERNEL, command: UPDATE_COMMANDS.zypper, step: 'updateKernelWithZypper', kernel: '5.3.18-24.15.1-default' },
    { distribution: 'Amazon Linux 2023 without its ENA module', guest: AMAZON_LINUX_2023_WITHOUT_DRIVER, command: UPDATE_COMMANDS.dnf, step: 'updateKernelWithDnf', kernel: '6.1.159-182.297.amzn2023.x86_64' },
  ])('updates $distribution with its own package manager', async ({ guest, command, step, kernel }) => {
    // Prepare
    const account = accountFor({
      guest,
      behaviours: (self) => {
        answersKernelCheck(self, 'available');
        installsKernel(self, command, kernel, { present: true, source: 'in-tree' });
      },
    });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result)).toContain(step);
    expect(inventoryNow(account)).toMatchObject({ driverPresent: true, kernelRelease: kernel });
  });

  it('updates when a newer kernel is installed but not yet running, which only the reboot loads', async () => {
    // Prepare
    const account = accountFor({
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        guest.installKernel('4.14.355-275.570.amzn2.x86_64', { present: true, version: '2.8.1g', source: 'out-of-tree' });
        answersKernelCheck(guest, 'pending');
      },
    });

    // Act
    const result = await run(runbook, account, { CreateBackupImage: 'false' });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs['reportUpdated.KernelRelease']).toBe('4.14.355-275.570.amzn2.x86_64');
  });
});

describe('EnaGuard-UpdateEnaDriver when there is nothing to do', () => {
  it('succeeds without touching a Windows Server 2019 instance whose driver 2.6.0 meets the minimum', async () => {
    // Prepare
    const account = accountFor({ guest: WINDOWS_2019_CURRENT });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).at(-1)).toBe('reportNothingToDo');
    expect(result.outputs).toEqual({ 'reportNothingToDo.DriverVersion': '2.6.0', 'reportNothingToDo.KernelRelease': '' });
    expect(changesMade(account)).toEqual([]);
    expect(account.guest(INSTANCE_ID).rebootPending).toBe(false);
  });

  it('succeeds without even asking the package manager on Amazon Linux 2023, whose 6.1 kernel is newer than every kernel minimum', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2023_CURRENT });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs).toEqual({ 'reportNothingToDo.DriverVersion': '6.1.55-75.123.amzn2023.x86_64', 'reportNothingToDo.KernelRelease': '6.1.55-75.123.amzn2023.x86_64' });
    expect(commandsSent(account).map(({ document }) => document)).toEqual(['EnaGuard-CollectEnaDriverInventory']);
    expect(changesMade(account)).toEqual([]);
  });

  it('succeeds without touching Amazon Linux 2 when the package manager offers no newer kernel and the driver is present', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2_OLD_KERNEL, behaviours: (guest) => answersKernelCheck(guest, 'none') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).slice(-3)).toEqual(['checkKernelUpdate', 'decideKernelUpdate', 'reportNothingToDo']);
    expect(changesMade(account)).toEqual([]);
  });

  it.each<{ guest: GuestSpec; parameters: Readonly<Record<string, string>>; nothing: boolean }>([
    { guest: windows('2019', '2.4.0'), parameters: {}, nothing: true },
    { guest: windows('2019', '2.10.0'), parameters: {}, nothing: true },
    { guest: windows('2019', '2.11.0.0'), parameters: {}, nothing: true },
    { guest: windows('2019', '3.0.0'), parameters: {}, nothing: true },
    { guest: windows('2019', '2.5.0'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.2.4'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.3.0'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.1.4'), parameters: {}, nothing: false },
    { guest: windows('2019', undefined), parameters: {}, nothing: false },
    { guest: windows('2012 R2', '2.4.0'), parameters: {}, nothing: true },
    { guest: windows('2008 R2', '2.2.3'), parameters: {}, nothing: true },
    { guest: windows('2008 R2', '2.2.2'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.9.0'), parameters: { TargetWindowsDriverVersion: '2.9.0' }, nothing: true },
    { guest: windows('2019', '2.9.0.0'), parameters: { TargetWindowsDriverVersion: '2.9.0' }, nothing: true },
    { guest: windows('2019', '2.10.0'), parameters: { TargetWindowsDriverVersion: '2.9.0' }, nothing: false },
  ])('judges Windows Server $guest.osVersion with driver $guest.enaDriver.version (parameters $parameters): nothing to do is $nothing', async ({ guest, parameters, nothing }) => {
    // Prepare
    const account = accountFor({ guest });

    // Act
    const result = await run(runbook, account, { CreateBackupImage: 'false', ...parameters });

    // Assess
    expect(stepsRun(result).includes('reportNothingToDo')).toBe(nothing);
    expect(stepsRun(result).includes('chooseUpdate')).toBe(!nothing);
  });

  it.each([
    { driver: '2.1.3g', nothing: false },
    { driver: '2.2.9g', nothing: false },
    { driver: '2.2.1g', nothing: false },
    { driver: '1.5.0K', nothing: false },
    { driver: '2.2.10g', nothing: true },
    { driver: '2.2.11g', nothing: true },
    { driver: '2.3.0g', nothing: true },
    { driver: '2.8.1g', nothing: true },
    { driver: '2.10.0g', nothing: true },
    { driver: '2.17.0g', nothing: true },
  ])('judges the Amazon Linux 2 out-of-tree driver $driver against 2.2.10: nothing to do is $nothing', async ({ driver, nothing }) => {
    // Prepare: the package manager would offer a newer kernel, so only the version test decides.
    const account = accountFor({
      guest: { ...AMAZON_LINUX_2_CURRENT, enaDriver: { present: true, version: driver, source: 'out-of-tree' } },
      behaviours: (guest) => answersKernelCheck(guest, 'available'),
    });

    // Act
    const result = await run(runbook, account, { CreateBackupImage: 'false' });

    // Assess
    expect(stepsRun(result).includes('reportNothingToDo')).toBe(nothing);
  });

  it.each([
    { kernel: '6.1.55-75.123.amzn2023.x86_64', asksPackageManager: false },
    { kernel: '5.10.220-209.867.amzn2.x86_64', asksPackageManager: false },
    { kernel: '5.15.0-1051-aws', asksPackageManager: false },
    { kernel: '5.4.0-1103-aws', asksPackageManager: true },
    { kernel: '5.1.21-1-aws', asksPackageManager: true },
    { kernel: '4.18.0-240.1.1.el8_3.x86_64', asksPackageManager: true },
  ])('trusts an in-tree driver on kernel $kernel without asking the package manager: $asksPackageManager is false', async ({ kernel, asksPackageManager }) => {
    // Prepare: when asked, the package manager offers nothing newer.
    const account = accountFor({ guest: { ...UBUNTU_2004_OLD_KERNEL, kernelRelease: kernel }, behaviours: (guest) => answersKernelCheck(guest, 'none') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).includes('checkKernelUpdate')).toBe(asksPackageManager);
    expect(changesMade(account)).toEqual([]);
  });
});

describe('EnaGuard-UpdateEnaDriver refuses, before changing anything,', () => {
  it('an instance that is not a managed instance', async () => {
    // Prepare
    const account = accountFor({ guest: { ...AMAZON_LINUX_2_OLD_KERNEL, ssmAgent: false } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseUnmanaged', /is not an online Systems Manager managed instance .* needs Run Command/);
    expect(commandsSent(account)).toEqual([]);
  });

  it('a managed instance whose agent has lost its connection', async () => {
    // Prepare: ENA is enabled but the running kernel has no driver, so the guest has no network.
    const account = accountFor({ guest: { ...AMAZON_LINUX_2_OLD_KERNEL, enaDriver: { present: false } }, instance: { EnaSupport: true } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseUnmanaged', /PingStatus is not Online/);
  });

  it('an instance that is not running, naming its state', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2_OLD_KERNEL, instance: { State: { Code: 80, Name: 'stopped' } } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseNotRunning', new RegExp(`instance ${INSTANCE_ID} is stopped, not running`));
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Name).toBe('stopped');
  });

  it.each([
    { distribution: 'CentOS 7', guest: CENTOS_7, shown: /runs CentOS Linux 7 \(os-release centos 7\)/ },
    { distribution: 'Amazon Linux 1 (2018.03)', guest: AMAZON_LINUX_1, shown: /os-release amzn 2018\.03/ },
    { distribution: 'Debian 12', guest: { ...CENTOS_7, osId: 'debian', osVersion: '12', osName: 'Debian GNU/Linux' }, shown: /os-release debian 12/ },
  ])('$distribution, which has no safe update path, with guidance', async ({ guest, shown }) => {
    // Prepare
    const account = accountFor({ guest });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseUnsupportedDistribution', shown);
    expect(result.failureMessage).toMatch(/no safe driver update path\. Supported: Amazon Linux 2 and 2023, Ubuntu/);
    expect(result.failureMessage).toMatch(/EnaGuard-ReplaceImageWithEna/);
  });

  it('Windows older than Server 2008 R2', async () => {
    // Prepare
    const account = accountFor({ guest: { ...windows('2019', '2.2.2'), osName: 'Microsoft Windows Server 2008 Standard', osVersion: '6.0.6002' } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseUnsupportedWindows', /older than Windows Server 2008 R2/);
  });

  it.each(['2.2.4', '2.5.0'])('the rolled-back Windows driver %s', async (version) => {
    // Prepare
    const account = accountFor({ guest: windows('2019', '2.2.3') });

    // Act
    const result = await run(runbook, account, { TargetWindowsDriverVersion: version });

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseRolledBackVersion', new RegExp(`TargetWindowsDriverVersion ${version.replace(/\./g, '\\.')} is a release AWS rolled back`));
  });

  it.each([
    { release: '2012 R2' as const, version: '2.7.0', step: 'refuseAboveOsCap2012', says: /newer than 2\.6\.0, the last ENA driver for Windows Server 2012 and 2012 R2/ },
    { release: '2012 R2' as const, version: '2.10.0', step: 'refuseAboveOsCap2012', says: /2\.10\.0 is newer than 2\.6\.0/ },
    { release: '2008 R2' as const, version: '2.4.0', step: 'refuseAboveOsCap2008R2', says: /newer than 2\.2\.3, the last ENA driver for Windows Server 2008 R2/ },
    { release: '2008 R2' as const, version: '2.2.10', step: 'refuseAboveOsCap2008R2', says: /2\.2\.10 is newer than 2\.2\.3/ },
    { release: '2022' as const, version: '2.2.3', step: 'refuseBelowServer2022Floor', says: /older than 2\.4\.0, the first ENA driver for Windows Server 2022/ },
  ])('driver $version on Windows Server $release, which cannot run it', async ({ release, version, step, says }) => {
    // Prepare
    const account = accountFor({ guest: windows(release, '2.1.4') });

    // Act
    const result = await run(runbook, account, { TargetWindowsDriverVersion: version });

    // Assess
    expectRefusedWithoutChanges(account, result, step, says);
  });

  it.each([
    { release: '2012 R2' as const, version: '2.6.0' },
    { release: '2012 R2' as const, version: '2.4.0' },
    { release: '2008 R2' as const, version: '2.2.3' },
    { release: '2022' as const, version: '2.4.0' },
  ])('nothing when driver $version is asked for on Windows Server $release, which can run it', async ({ release, version }) => {
    // Prepare
    const account = accountFor({ guest: windows(release, '2.1.4') });

    // Act
    const result = await run(runbook, account, { TargetWindowsDriverVersion: version });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs['reportUpdated.DriverVersion']).toBe(version);
  });

  it('a backup of an instance-store root device, and updates it when told to go without a backup', async () => {
    // Prepare
    const scenario: Scenario = { ...happyPath('Amazon Linux 2'), instance: { RootDeviceType: 'instance-store', InstanceType: 'i3.large' } };
    const refused = accountFor(scenario);
    const allowed = accountFor(scenario);

    // Act
    const refusal = await run(runbook, refused);
    const update = await run(runbook, allowed, { CreateBackupImage: 'false' });

    // Assess
    expectRefusedWithoutChanges(refused, refusal, 'refuseBackupOfInstanceStore', /instance-store root device, from which CreateImage cannot make the backup image/);
    expect(update.status).toBe('Success');
    expect(imagesCreated(allowed)).toEqual([]);
  });

  it('a Linux guest without an ENA driver whose distribution offers no newer kernel', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2023_WITHOUT_DRIVER, behaviours: (guest) => answersKernelCheck(guest, 'none') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseNoNewerKernel', /has no ENA driver, and its distribution offers no newer kernel than 6\.1\.55/);
  });

  it('an empty InventoryAssociationId, before reading anything, telling the user to pass it', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    const result = await run(runbook, account, { InventoryAssociationId: '' });

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseNoInventoryAssociation', /InventoryAssociationId is empty\..*Pass the id of the association that targets i-0aaaaaaaaaaaaaaa1 as InventoryAssociationId/);
    expect(stepsRun(result)).toEqual(['checkInventoryAssociationGiven', 'refuseNoInventoryAssociation']);
    expect(account.calls.calls({ service: 'ssm' })).toEqual([]);
  });

  it('an association that does not exist', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    const result = await run(runbook, account, { InventoryAssociationId: '11111111-2222-4333-8444-555555555555' });

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseUnknownInventoryAssociation', /could not read the association 11111111-2222-4333-8444-555555555555/);
    expect(result.trace.find((step) => step.stepName === 'describeInventoryAssociation')?.failureMessage).toMatch(/AssociationDoesNotExist/);
    expect(commandsSent(account)).toEqual([]);
  });

  it('an association of another document, which it never starts', async () => {
    // Prepare: a patching association would install updates on every instance it targets.
    const account = accountFor({ ...happyPath('Amazon Linux 2'), association: { Name: 'AWS-RunPatchBaseline', Parameters: { Operation: ['Install'] } } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseNotInventoryAssociation', /runs AWS-RunPatchBaseline, not AWS-GatherSoftwareInventory/);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
  });

  it.each([
    { situation: 'the association does not target the instance', association: { Targets: [{ Key: 'tag:Environment', Values: ['prod'] }] } },
    { situation: 'the association gathers no custom inventory', association: { Parameters: { customInventory: ['Disabled'] } } },
  ])('to judge the entry published before the run when $situation', async ({ association }) => {
    // Prepare
    const account = accountFor({ ...happyPath('Amazon Linux 2'), association });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'failInventoryNotRefreshedBefore', /still holds the entry published before this run \(CollectedAt 2026-03-01T09:00:00Z\)/);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toHaveLength(1);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('to go on without any Custom:EnaDriver entry when the association publishes none', async () => {
    // Prepare
    const account = accountFor({ ...happyPath('Amazon Linux 2'), previousInventory: false, association: { Targets: [{ Key: 'InstanceIds', Values: ['i-0bbbbbbbbbbbbbbb2'] }] } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'failNoInventory', /three minutes later ListInventoryEntries returns no Custom:EnaDriver entry/);
  });

  it.each([
    { parameter: 'InventoryAssociationId', value: 'abc' },
    { parameter: 'InventoryAssociationId', value: `${INVENTORY_ASSOCIATION_ID} ` },
    { parameter: 'InstanceId', value: 'i-XYZ' },
    { parameter: 'TargetWindowsDriverVersion', value: 'latest' },
    { parameter: 'TargetWindowsDriverVersion', value: '02.6.0' },
    { parameter: 'CreateBackupImage', value: 'yes' },
    { parameter: 'AutomationAssumeRole', value: 'arn:aws:iam::123456789012:user/alice' },
  ])('$parameter $value, before the first step', async ({ parameter, value }) => {
    // Prepare
    const account = accountFor({ guest: WINDOWS_2019_CURRENT });

    // Act
    const attempt = run(runbook, account, { [parameter]: value });

    // Assess
    await expect(attempt).rejects.toThrow(ParameterError);
    await expect(attempt).rejects.toThrow(new RegExp(parameter));
    expect(account.calls.calls()).toEqual([]);
  });
});

describe('EnaGuard-UpdateEnaDriver reports a failed update, keeps the backup and leaves the instance running', () => {
  it('when the kernel update command fails, without rebooting for it', async () => {
    // Prepare
    const account = accountFor({
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        guest.onScript(UPDATE_COMMANDS.yum, () => ({ exitCode: 1, stderr: 'Error: Cannot retrieve repository metadata (repomd.xml)' }));
      },
    });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(stepsRun(result).slice(-3)).toEqual(['updateKernelWithYum', 'recoverAfterUpdateFailure', 'failUpdate']);
    expect(result.failureMessage).toMatch(/^Step failUpdate failed: .*update command did not succeed/);
    expect(result.trace.find((step) => step.stepName === 'updateKernelWithYum')?.failureMessage).toMatch(/repomd\.xml/);
    expect(account.calls.calls({ operation: 'RebootInstances' })).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the kernel did not change, naming the kernel it still runs', async () => {
    // Prepare: yum "succeeds" but installs nothing.
    const account = accountFor({ guest: AMAZON_LINUX_2_OLD_KERNEL, behaviours: (guest) => answersKernelCheck(guest, 'available') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(stepsRun(result).at(-1)).toBe('failKernelNotUpdated');
    expect(result.failureMessage).toMatch(/still runs kernel 4\.14\.173-137\.229\.amzn2\.x86_64 after the update and reboot/);
    expect(imagesCreated(account)).toHaveLength(1);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the new kernel leaves the driver below 2.2.10', async () => {
    // Prepare
    const account = accountFor({
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.yum, '4.14.186-146.268.amzn2.x86_64', { present: true, version: '2.2.9g', source: 'out-of-tree' });
      },
    });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).at(-1)).toBe('failDriverStillOutdated');
    expect(result.failureMessage).toMatch(/runs ENA driver 2\.2\.9g \(build out-of-tree, kernel 4\.14\.186-146\.268\.amzn2\.x86_64\), which is below the minimum/);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the new kernel has no ENA driver: the instance stays impaired, and the message points to the backup image', async () => {
    // Prepare
    const account = accountFor({
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.yum, '4.14.355-275.570.amzn2.x86_64', { present: false });
      },
    });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(stepsRun(result).slice(-3)).toEqual(['waitForInstanceStatusOk', 'recoverAfterRebootFailure', 'failReboot']);
    expect(result.trace.find((step) => step.stepName === 'waitForInstanceStatusOk')?.status).toBe('TimedOut');
    expect(result.failureMessage).toMatch(/restore the root volume from the backup image \(output createBackupImage\.ImageId\)/);
    expect(account.ec2.statusChecks(INSTANCE_ID)?.instance).toBe('impaired');
    expect(invariantViolations(account, result, { healthy: false })).toEqual([]);
  });

  it('when the inventory association never publishes the new file because the agent went offline, instead of judging the old entry', async () => {
    // Prepare: the collector writes its file after the update, then the agent stops, so the gather never reaches the instance.
    const account = accountFor(happyPath('Amazon Linux 2'));
    agentStopsAfterLaterCollectorRuns(account);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(stepsRun(result).slice(-7)).toEqual(['collectInventoryAfter', 'startInventoryGatherAfter', 'waitForInventoryGatherAfter', 'assertInventoryAfter', 'readInventoryAfter', 'checkInventoryRefreshed', 'failInventoryNotRefreshed']);
    expect(result.failureMessage).toMatch(/^Step failInventoryNotRefreshed failed: .*three minutes after the inventory association 0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d was started again Custom:EnaDriver still holds the entry collected before the update \(CollectedAt 2026-03-02T09:00:00Z\)/);
    expect(account.guest(INSTANCE_ID).customInventory('Custom:EnaDriver')?.content[0]).toMatchObject({ KernelRelease: '4.14.355-275.570.amzn2.x86_64' });
    expect(inventoryNow(account)).toMatchObject({ kernelRelease: '4.14.173-137.229.amzn2.x86_64' });
    expect(account.ssm.pingStatus(INSTANCE_ID)).toBe('ConnectionLost');
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the collector wrote no new file after the update, so the gather uploads the old one again', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));
    collectorChangingLaterRuns(account, undefined);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).at(-1)).toBe('failInventoryNotRefreshed');
    expect(result.failureMessage).toMatch(/still holds the entry collected before the update \(CollectedAt 2026-03-02T09:00:00Z\)/);
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe('4.14.355-275.570.amzn2.x86_64');
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the ENA interface is not driven by the ENA driver after the update', async () => {
    // Prepare
    const account = accountFor(happyPath('Ubuntu 20.04'));
    collectorChangingLaterRuns(account, (content) => ({ ...content, DriverLoaded: 'false', InterfaceDriver: 'vif' }));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).at(-1)).toBe('failDriverNotBound');
    expect(result.failureMessage).toMatch(/DriverLoaded false, InterfaceDriver vif, driver 5\.4\.0-1103-aws\)/);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the collector reports no driver at all after the update', async () => {
    // Prepare
    const account = accountFor(happyPath('Ubuntu 20.04'));
    collectorChangingLaterRuns(account, (content) => ({ ...content, DriverPresent: 'false', DriverLoaded: 'false', InterfaceDriver: 'vif', DriverVersion: '' }));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).at(-1)).toBe('failDriverMissing');
    expect(result.failureMessage).toMatch(/reports no ENA driver \(DriverPresent false, kernel 5\.4\.0-1103-aws\)/);
  });

  it('when the Windows package reports success but the adapter still runs the old driver', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2012 R2'));
    packageInstallThatDoesNothing(account);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).slice(-2)).toEqual(['verifyWindows2012Driver', 'failWindowsVersionMismatch']);
    expect(result.failureMessage).toMatch(/runs driver 2\.2\.3, not the version installed/);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the backup image cannot be made, without installing anything', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2022'), [Faults.failAlways('ec2', 'CreateImage', 'InsufficientInstanceCapacity')]);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).slice(-3)).toEqual(['createBackupImage', 'recoverAfterBackupFailure', 'failBackup']);
    expect(result.failureMessage).toMatch(/backup image of .* could not be created, tagged, .* The driver was not changed\./);
    expect(commandsSent(account).map(({ document }) => document)).toEqual(['EnaGuard-CollectEnaDriverInventory']);
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe('2.2.3');
    expect(invariantViolations(account, result)).toEqual([]);
  });
});

describe('EnaGuard-UpdateEnaDriver under a fault at every AWS call of its happy paths', () => {
  /** A fault at `point` that strikes once, or from there on at every call of that operation. */
  function faultAt(point: FaultPoint, mode: 'once' | 'always'): FaultRule {
    const rule = Faults.atPoint(point, 'InternalError');
    return mode === 'once' ? rule : { ...rule, times: 'always' };
  }

  describe.each(HAPPY_PATHS)('$name', ({ scenario, updatedTo }) => {
    it.each(['once', 'always'] as const)('keeps every invariant when the call at each fault point fails %s', async (mode) => {
      // Prepare
      const clean = accountFor(scenario);
      const cleanResult = await run(runbook, clean);
      const points = clean.calls.faultPoints();
      const violations: string[] = [];
      const outcomes = new Map<string, number>();

      // Act
      for (const point of points) {
        const account = accountFor(scenario, [faultAt(point, mode)]);
        const result = await run(runbook, account);
        const where = `${point.service}:${point.operation}#${point.attempt} (${mode})`;
        if (!account.calls.calls().some((call) => call.error?.injected === true)) violations.push(`${where}: the fault never struck`);
        if (result.status === 'Success') {
          const inventory = inventoryNow(account);
          if (updatedTo.driverVersion !== undefined && inventory?.driverVersion !== updatedTo.driverVersion) violations.push(`${where}: succeeded with driver ${String(inventory?.driverVersion)}`);
          if (updatedTo.kernelRelease !== undefined && inventory?.kernelRelease !== updatedTo.kernelRelease) violations.push(`${where}: succeeded with kernel ${String(inventory?.kernelRelease)}`);
        }
        violations.push(...invariantViolations(account, result).map((violation) => `${where}: ${violation}`));
        const outcome = `${result.status} at ${String(stepsRun(result).at(-1))}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }

      // Assess
      expect(cleanResult.status).toBe('Success');
      expect(points.length).toBeGreaterThan(30);
      expect(points.filter((point) => point.operation === 'DescribeAssociation')).toHaveLength(1);
      expect(points.filter((point) => point.operation === 'DescribeAutoScalingInstances')).toHaveLength(1);
      expect(points.filter((point) => point.operation === 'StartAssociationsOnce')).toHaveLength(2);
      expect(violations).toEqual([]);
      expect([...outcomes.values()].reduce((sum, count) => sum + count, 0)).toBe(points.length);
      if (mode === 'always') expect(outcomes.has('Success at reportUpdated')).toBe(false);
    });
  });
});

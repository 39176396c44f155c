/**
 * EnaGuard-UpdateEnaDriver, run by the simulator exactly as it is deployed: the happy paths on
 * Windows and Linux, the no-op paths, every refusal, the verification failures, and a fault matrix
 * over every AWS call of each happy path. The runbook decides on the guest: the collector writes a
 * fresh item, and EnaGuard-AssessEnaDriverLinux or -Windows compares it with the rule's thresholds,
 * which the runbook passes on. Auto Scaling members: update-ena-driver-autoscaling.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Faults, ParameterError, type AccountModel, type AutomationDocument, type FaultPoint, type FaultRule, type GuestSpec, type SimulationResult } from '../../src/simulator/index.js';
import {
  AMAZON_LINUX_1,
  AMAZON_LINUX_2023_CURRENT,
  AMAZON_LINUX_2023_WITHOUT_DRIVER,
  AMAZON_LINUX_2_CURRENT,
  AMAZON_LINUX_2_NEW_DRIVER,
  AMAZON_LINUX_2_NEW_KERNEL,
  AMAZON_LINUX_2_OLD_KERNEL,
  CENTOS_7,
  INSTANCE_ID,
  INVENTORY_ASSOCIATION_ID,
  READ_ONLY_DOCUMENTS,
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
  inventoryPublished,
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

/** The Amazon Linux 2 update: the package manager offers a kernel, and yum installs it with driver 2.12.0g. */
function amazonLinux2Updates(guest: Parameters<NonNullable<Scenario['behaviours']>>[0]): void {
  answersKernelCheck(guest, 'available');
  installsKernel(guest, UPDATE_COMMANDS.yum, AMAZON_LINUX_2_NEW_KERNEL, AMAZON_LINUX_2_NEW_DRIVER);
}

/** The happy paths the fault matrix walks. */
const HAPPY_PATHS: readonly { readonly name: string; readonly scenario: Scenario; readonly updatedTo: { driverVersion?: string; kernelRelease?: string } }[] = [
  { name: 'Windows Server 2022', scenario: { guest: WINDOWS_2022_OLD_DRIVER }, updatedTo: { driverVersion: '2.11.0' } },
  { name: 'Windows Server 2012 R2', scenario: { guest: WINDOWS_2012_R2_OLD_DRIVER }, updatedTo: { driverVersion: '2.6.0' } },
  { name: 'Amazon Linux 2', scenario: { guest: AMAZON_LINUX_2_OLD_KERNEL, behaviours: amazonLinux2Updates }, updatedTo: { driverVersion: '2.12.0g', kernelRelease: AMAZON_LINUX_2_NEW_KERNEL } },
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
    scenario: { guest: AMAZON_LINUX_2_OLD_KERNEL, autoScaling: { LifecycleState: 'Standby' }, behaviours: amazonLinux2Updates },
    updatedTo: { driverVersion: '2.12.0g', kernelRelease: AMAZON_LINUX_2_NEW_KERNEL },
  },
];

function happyPath(name: string): Scenario {
  const found = HAPPY_PATHS.find((path) => path.name === name);
  if (found === undefined) throw new Error(`no happy path ${name}`);
  return found.scenario;
}

/** The documents the runbook may send: the read-only collector and assessments, and the two vendor update paths. */
const ALLOWED_DOCUMENTS = [...READ_ONLY_DOCUMENTS, 'EnaGuard-UpdateLinuxKernel', 'AWS-ConfigureAWSPackage'];

/** The names of the documents sent, in order. */
function documentsSent(account: AccountModel): string[] {
  return commandsSent(account).map(({ document }) => document);
}

/** The parameters of every SendCommand of `document`, in order. */
function parametersOf(account: AccountModel, document: string): Record<string, string[]>[] {
  return commandsSent(account)
    .filter((command) => command.document === document)
    .map(({ parameters }) => parameters);
}

/** Asserts that a run refused before changing anything, with a message matching `reason`. */
function expectRefusedWithoutChanges(account: AccountModel, result: SimulationResult, step: string, reason: RegExp): void {
  expect(result.status).toBe('Failed');
  expect(stepsRun(result).at(-1)).toBe(step);
  expect(result.failureMessage).toMatch(new RegExp(`^Step ${step} failed: `));
  expect(result.failureMessage).toMatch(reason);
  expect(result.failureMessage).toMatch(/Nothing was changed\./);
  expect(changesMade(account)).toEqual([]);
  expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
}

describe('EnaGuard-UpdateEnaDriver on Windows', () => {
  it('backs up, installs the newest AwsEnaNetworkDriver on Windows Server 2022, reboots, verifies 2.11.0 and publishes it', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2022'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result)).toContain('installWindowsDriverLatest');
    expect(stepsRun(result).slice(-4)).toEqual(['assessWindowsAfter', 'verifyWindows', 'publishInventory', 'reportUpdated']);
    const install = commandsSent(account).find(({ document }) => document === 'AWS-ConfigureAWSPackage');
    expect(install?.parameters).toEqual({ action: ['Install'], name: ['AwsEnaNetworkDriver'] });
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe('2.11.0');
    const [backup] = imagesCreated(account);
    expect(result.outputs).toEqual({
      'createBackupImage.ImageId': backup,
      'assessWindowsBefore.Output': expect.stringContaining('ENA_GUARD_INSTALL=latest'),
      'assessWindowsAfter.Output': expect.stringContaining('ENA_GUARD_PLAN=current'),
    });
    expect(result.outputs['assessWindowsBefore.Output']).toContain('ENA_GUARD_PLAN=update');
    expect(account.ec2.image(backup ?? '')).toMatchObject({ State: 'available', Tags: expect.arrayContaining([{ Key: 'ena-guard:backup-of', Value: INSTANCE_ID }]) });
    expect(inventoryPublished(account)).toMatchObject({ driverPresent: true, driverVersion: '2.11.0', interfaceDriver: 'ena', osFamily: 'windows' });
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
    expect(stepsRun(result)).toContain('installWindowsDriver260');
    expect(result.outputs['assessWindowsBefore.Output']).toContain('ENA_GUARD_INSTALL=2.6.0');
    const install = commandsSent(account).find(({ document }) => document === 'AWS-ConfigureAWSPackage');
    expect(install?.parameters).toEqual({ action: ['Install'], name: ['AwsEnaNetworkDriver'], version: ['2.6.0'] });
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe('2.6.0');
    expect(inventoryPublished(account)).toMatchObject({ driverVersion: '2.6.0', osVersion: '6.3.9600' });
  });

  it('pins the driver to 2.2.3 on Windows Server 2008 R2', async () => {
    // Prepare
    const account = accountFor({ guest: WINDOWS_2008_R2_OLD_DRIVER });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result)).toContain('installWindowsDriver223');
    expect(parametersOf(account, 'AWS-ConfigureAWSPackage').map((parameters) => parameters['version'])).toEqual([['2.2.3']]);
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe('2.2.3');
  });

  it('installs exactly the requested version when TargetWindowsDriverVersion is set', async () => {
    // Prepare
    const account = accountFor({ guest: windows('2019', '2.2.3') });

    // Act
    const result = await run(runbook, account, { TargetWindowsDriverVersion: '2.10.0' });

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result)).toContain('installWindowsDriverRequested');
    expect(result.outputs['assessWindowsBefore.Output']).toContain('ENA_GUARD_INSTALL=requested');
    expect(parametersOf(account, 'AWS-ConfigureAWSPackage').map((parameters) => parameters['version'])).toEqual([['2.10.0']]);
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe('2.10.0');
  });

  it.each([
    { names: 'Windows Server 2008 R2 by its version 6.1', platformName: 'Microsoft Windows Server Datacenter', platformVersion: '6.1.7601', installs: '2.2.3' },
    { names: 'Windows Server 2012 by its version 6.2', platformName: 'Microsoft Windows Server Standard', platformVersion: '6.2.9200', installs: '2.6.0' },
    { names: 'Windows Server 2012 R2 by its version 6.3', platformName: 'Microsoft Windows Server Datacenter', platformVersion: '6.3.9600', installs: '2.6.0' },
    { names: 'Windows Server 2012 by its name', platformName: 'Microsoft Windows Server 2012 Standard', platformVersion: '6.2.9200', installs: '2.6.0' },
    { names: 'Windows Server 2019 as able to run the newest driver', platformName: 'Microsoft Windows Server 2019 Datacenter', platformVersion: '10.0.17763', installs: undefined },
  ])('recognises $names', async ({ platformName, platformVersion, installs }) => {
    // Prepare: the guest reports the name and version as given (the collector reports the build as OsVersion).
    const account = accountFor({ guest: { ...windows('2019', '2.2.2'), osName: platformName, osVersion: platformVersion, kernelRelease: platformVersion } });

    // Act
    const result = await run(runbook, account, { CreateBackupImage: 'false' });

    // Assess
    expect(result.status).toBe('Success');
    expect(parametersOf(account, 'AWS-ConfigureAWSPackage').map((parameters) => parameters['version'])).toEqual([installs === undefined ? undefined : [installs]]);
  });
});

describe('EnaGuard-UpdateEnaDriver on Linux', () => {
  it('updates the Amazon Linux 2 kernel with yum through EnaGuard-UpdateLinuxKernel, reboots, verifies and publishes the new kernel and driver', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(documentsSent(account)).toEqual([
      'EnaGuard-CollectEnaDriverInventory',
      'EnaGuard-AssessEnaDriverLinux',
      'EnaGuard-UpdateLinuxKernel',
      'EnaGuard-CollectEnaDriverInventory',
      'EnaGuard-AssessEnaDriverLinux',
    ]);
    expect(account.guest(INSTANCE_ID).scriptLog.some(({ commands }) => commands.join('\n').includes(UPDATE_COMMANDS.yum))).toBe(true);
    expect(account.calls.calls({ operation: 'RebootInstances' })).toHaveLength(1);
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_NEW_KERNEL);
    expect(result.outputs['assessLinuxBefore.Output']).toMatch(/ENA_GUARD_PLAN=update\n.*ENA_GUARD_KERNEL_UPDATE=available/s);
    expect(result.outputs['assessLinuxAfter.Output']).toMatch(/ENA_GUARD_PLAN=current\nENA_GUARD_BOUND=true\n/);
    expect(imagesCreated(account)).toHaveLength(1);
    expect(inventoryPublished(account)).toMatchObject({ driverVersion: '2.12.0g', driverBuild: 'out-of-tree', kernelRelease: AMAZON_LINUX_2_NEW_KERNEL, interfaceDriver: 'ena' });
  });

  it('installs the linux-aws kernel on Ubuntu 20.04 with apt, reboots, and publishes the new kernel', async () => {
    // Prepare
    const account = accountFor(happyPath('Ubuntu 20.04'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(account.guest(INSTANCE_ID).scriptLog.some(({ commands }) => commands.join('\n').includes(UPDATE_COMMANDS.apt))).toBe(true);
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe('5.4.0-1103-aws');
    expect(inventoryPublished(account)).toMatchObject({ driverBuild: 'in-tree', kernelRelease: '5.4.0-1103-aws', driverLoaded: true, interfaceDriver: 'ena' });
  });

  it.each([
    { distribution: 'Red Hat Enterprise Linux 8.2', guest: RHEL_82_OLD_KERNEL, command: UPDATE_COMMANDS.dnf, kernel: '4.18.0-240.1.1.el8_3.x86_64' },
    { distribution: 'SUSE Linux Enterprise Server 15 SP2', guest: SLES_15_SP2_OLD_KERNEL, command: UPDATE_COMMANDS.zypper, kernel: '5.3.18-24.15.1-default' },
    { distribution: 'Amazon Linux 2023 without its ENA module', guest: AMAZON_LINUX_2023_WITHOUT_DRIVER, command: UPDATE_COMMANDS.dnf, kernel: '6.1.159-182.297.amzn2023.x86_64' },
  ])('updates $distribution with its own package manager', async ({ guest, command, kernel }) => {
    // Prepare: only the distribution's own command installs the kernel.
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
    expect(stepsRun(result)).toContain('updateLinuxKernel');
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(kernel);
    expect(inventoryPublished(account)).toMatchObject({ driverPresent: true, kernelRelease: kernel });
  });

  it('updates when a newer kernel is installed but not yet running, which only the reboot loads', async () => {
    // Prepare
    const account = accountFor({
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        guest.installKernel(AMAZON_LINUX_2_NEW_KERNEL, AMAZON_LINUX_2_NEW_DRIVER);
        answersKernelCheck(guest, 'pending');
      },
    });

    // Act
    const result = await run(runbook, account, { CreateBackupImage: 'false' });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs['assessLinuxBefore.Output']).toContain('ENA_GUARD_KERNEL_UPDATE=pending');
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_NEW_KERNEL);
  });
});

describe('EnaGuard-UpdateEnaDriver decides with the thresholds it is given', () => {
  it('passes exactly its thresholds to the Linux assessment, before (with the kernel check) and after the update', async () => {
    // Prepare: the thresholds as the stack passes the rule's parameters (KernelMinimums followed by a space).
    const thresholds = { LinuxMinimumDriverVersion: '2.11.0', RequireSecurityFixes: 'true', KernelMinimums: 'amzn=4.14.200 ' };
    const account = accountFor({
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.yum, AMAZON_LINUX_2_NEW_KERNEL, { present: true, version: '2.17.0g', source: 'out-of-tree' });
      },
    });

    // Act
    const result = await run(runbook, account, thresholds);

    // Assess
    expect(result.status).toBe('Success');
    const expected = { LinuxMinimumDriverVersion: ['2.11.0'], RequireSecurityFixes: ['true'], KernelMinimums: ['amzn=4.14.200 '] };
    expect(parametersOf(account, 'EnaGuard-AssessEnaDriverLinux')).toEqual([
      { ...expected, CheckKernelUpdate: ['true'] },
      { ...expected, CheckKernelUpdate: ['false'] },
    ]);
    expect(result.outputs['assessLinuxBefore.Output']).toContain('against 2.17.0');
  });

  it('passes the rule\'s defaults to the Linux assessment when given none', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2_CURRENT });

    // Act
    await run(runbook, account);

    // Assess
    expect(parametersOf(account, 'EnaGuard-AssessEnaDriverLinux')).toEqual([{ LinuxMinimumDriverVersion: ['2.10.0'], RequireSecurityFixes: ['false'], KernelMinimums: [''], CheckKernelUpdate: ['true'] }]);
  });

  it.each<{ parameters: Readonly<Record<string, string>>; expected: Record<string, string[]> }>([
    { parameters: {}, expected: { WindowsMinimumDriverVersion: ['2.10.0'], TargetWindowsDriverVersion: [''] } },
    { parameters: { WindowsMinimumDriverVersion: '2.8.0', TargetWindowsDriverVersion: '2.9.0' }, expected: { WindowsMinimumDriverVersion: ['2.8.0'], TargetWindowsDriverVersion: ['2.9.0'] } },
  ])('passes exactly its thresholds $parameters to the Windows assessment, before and after the update', async ({ parameters, expected }) => {
    // Prepare
    const account = accountFor({ guest: windows('2019', '2.2.3') });

    // Act
    const result = await run(runbook, account, { CreateBackupImage: 'false', ...parameters });

    // Assess
    expect(result.status).toBe('Success');
    expect(parametersOf(account, 'EnaGuard-AssessEnaDriverWindows')).toEqual([expected, expected]);
  });

  it('updates a guest on 2.12.0g when the user asks for LinuxMinimumDriverVersion 2.17.0, and leaves it alone with the default 2.10.0', async () => {
    // Prepare: the rule with linuxMinimumDriverVersion 2.17.0 flags 2.12.0g; the runbook must agree with it.
    const scenario: Scenario = {
      guest: AMAZON_LINUX_2_CURRENT,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.yum, '4.14.356-276.571.amzn2.x86_64', { present: true, version: '2.17.1g', source: 'out-of-tree' });
      },
    };
    const raised = accountFor(scenario);
    const byDefault = accountFor(scenario);

    // Act
    const update = await run(runbook, raised, { LinuxMinimumDriverVersion: '2.17.0' });
    const nothing = await run(runbook, byDefault);

    // Assess
    expect(update.status).toBe('Success');
    expect(stepsRun(update).at(-1)).toBe('reportUpdated');
    expect(update.outputs['assessLinuxBefore.Output']).toContain('ENA_GUARD_DETAIL=2.12.0g against 2.17.0');
    expect(raised.guest(INSTANCE_ID).runningDriver.version).toBe('2.17.1g');
    expect(nothing.status).toBe('Success');
    expect(stepsRun(nothing).at(-1)).toBe('reportNothingToDo');
    expect(changesMade(byDefault)).toEqual([]);
    expect(byDefault.guest(INSTANCE_ID).runningDriver.version).toBe('2.12.0g');
  });

  it('sends only the collector, the two assessments, EnaGuard-UpdateLinuxKernel and AWS-ConfigureAWSPackage, never a shell script', async () => {
    // Prepare
    const scenarios: Scenario[] = [
      ...HAPPY_PATHS.map(({ scenario }) => scenario),
      { guest: WINDOWS_2008_R2_OLD_DRIVER },
      { guest: WINDOWS_2019_CURRENT },
      { guest: AMAZON_LINUX_2023_CURRENT },
      { guest: CENTOS_7 },
      { guest: AMAZON_LINUX_2_OLD_KERNEL },
    ];
    const sent = new Set<string>();

    // Act
    for (const scenario of scenarios) {
      const account = accountFor(scenario);
      await run(runbook, account);
      for (const document of documentsSent(account)) sent.add(document);
    }

    // Assess: in the runs, and in every aws:runCommand step of the document itself.
    expect([...sent].sort()).toEqual([...ALLOWED_DOCUMENTS].sort());
    const named = runbook.content.mainSteps.filter((step) => step.action === 'aws:runCommand').map((step) => (step.inputs as { DocumentName: string }).DocumentName);
    expect([...new Set(named)].sort()).toEqual(['AWS-ConfigureAWSPackage', '{{ AssessLinuxDocumentName }}', '{{ AssessWindowsDocumentName }}', '{{ CollectorDocumentName }}', '{{ KernelUpdateDocumentName }}']);
    expect(JSON.stringify(runbook.content)).not.toMatch(/AWS-RunShellScript|AWS-RunPowerShellScript/);
  });

  it('starts the inventory association exactly once, after the verified update', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    await run(runbook, account);

    // Assess
    const starts = account.calls.calls({ operation: 'StartAssociationsOnce' });
    expect(starts.map((call) => call.input)).toEqual([{ AssociationIds: [INVENTORY_ASSOCIATION_ID] }]);
    const lastAssessment = account.calls
      .calls({ operation: 'SendCommand' })
      .filter((call) => (call.input as { DocumentName: string }).DocumentName === 'EnaGuard-AssessEnaDriverLinux')
      .at(-1);
    const reboot = account.calls.calls({ operation: 'RebootInstances' }).at(-1);
    expect(starts[0]?.seq).toBeGreaterThan(lastAssessment?.seq ?? Infinity);
    expect(starts[0]?.seq).toBeGreaterThan(reboot?.seq ?? Infinity);
    expect(inventoryNow(account)?.kernelRelease).toBe(AMAZON_LINUX_2_OLD_KERNEL.kernelRelease);
    expect(inventoryPublished(account)?.kernelRelease).toBe(AMAZON_LINUX_2_NEW_KERNEL);
  });

  it.each<{ situation: string; scenario: Scenario; parameters?: Readonly<Record<string, string>> }>([
    { situation: 'nothing to do on Windows', scenario: { guest: WINDOWS_2019_CURRENT } },
    { situation: 'nothing to do on Linux', scenario: { guest: AMAZON_LINUX_2023_CURRENT } },
    { situation: 'a refusal in the pre-checks', scenario: { guest: AMAZON_LINUX_2_OLD_KERNEL, instance: { State: { Code: 80, Name: 'stopped' } } } },
    { situation: 'a refusal by the assessment', scenario: { guest: CENTOS_7 } },
    { situation: 'a refused Windows request', scenario: { guest: windows('2019', '2.2.3') }, parameters: { TargetWindowsDriverVersion: '2.5.0' } },
    { situation: 'no newer kernel', scenario: { guest: AMAZON_LINUX_2_OLD_KERNEL } },
  ])('never starts the inventory association on $situation', async ({ scenario, parameters }) => {
    // Prepare
    const account = accountFor(scenario);

    // Act
    const result = await run(runbook, account, parameters);

    // Assess
    expect(stepsRun(result)).not.toContain('publishInventory');
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(changesMade(account)).toEqual([]);
  });
});

describe('EnaGuard-UpdateEnaDriver when there is nothing to do', () => {
  it('succeeds without touching a Windows Server 2019 instance whose driver 2.10.0 meets the minimum', async () => {
    // Prepare
    const account = accountFor({ guest: WINDOWS_2019_CURRENT });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).slice(-3)).toEqual(['assessWindowsBefore', 'decideWindows', 'reportNothingToDo']);
    expect(result.outputs).toEqual({ 'assessWindowsBefore.Output': expect.stringMatching(/^ENA_GUARD_PLAN=current\n/) });
    expect(documentsSent(account)).toEqual(['EnaGuard-CollectEnaDriverInventory', 'EnaGuard-AssessEnaDriverWindows']);
    expect(changesMade(account)).toEqual([]);
    expect(account.guest(INSTANCE_ID).rebootPending).toBe(false);
  });

  it('succeeds without asking the package manager on Amazon Linux 2023, whose 6.1 kernel is newer than every kernel minimum', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2023_CURRENT, behaviours: (guest) => answersKernelCheck(guest, 'available') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).at(-1)).toBe('reportNothingToDo');
    expect(result.outputs['assessLinuxBefore.Output']).toMatch(/^ENA_GUARD_PLAN=current\n/);
    expect(result.outputs['assessLinuxBefore.Output']).not.toContain('ENA_GUARD_KERNEL_UPDATE');
    expect(account.guest(INSTANCE_ID).scriptLog).toEqual([]);
    expect(documentsSent(account)).toEqual(['EnaGuard-CollectEnaDriverInventory', 'EnaGuard-AssessEnaDriverLinux']);
    expect(changesMade(account)).toEqual([]);
  });

  it('succeeds without touching Amazon Linux 2 whose driver 2.12.0g meets the minimum', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2_CURRENT, behaviours: (guest) => answersKernelCheck(guest, 'available') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).slice(-2)).toEqual(['decideLinux', 'reportNothingToDo']);
    expect(result.outputs['assessLinuxBefore.Output']).toContain('ENA_GUARD_DETAIL=2.12.0g against 2.10.0');
    expect(changesMade(account)).toEqual([]);
  });

  it.each<{ guest: GuestSpec; parameters: Readonly<Record<string, string>>; nothing: boolean }>([
    { guest: windows('2019', '2.10.0'), parameters: {}, nothing: true },
    { guest: windows('2019', '2.11.0.0'), parameters: {}, nothing: true },
    { guest: windows('2019', '3.0.0'), parameters: {}, nothing: true },
    { guest: windows('2019', '2.9.0'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.6.0'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.5.0'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.2.4'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.1.4'), parameters: {}, nothing: false },
    { guest: windows('2019', undefined), parameters: {}, nothing: false },
    { guest: windows('2019', '2.6.0'), parameters: { WindowsMinimumDriverVersion: '2.4.0' }, nothing: true },
    { guest: windows('2022', '2.4.0'), parameters: { WindowsMinimumDriverVersion: '2.2.3' }, nothing: true },
    { guest: windows('2022', '2.2.3'), parameters: { WindowsMinimumDriverVersion: '2.2.3' }, nothing: false },
    { guest: windows('2012 R2', '2.6.0'), parameters: {}, nothing: true },
    { guest: windows('2012 R2', '2.4.0'), parameters: {}, nothing: false },
    { guest: windows('2008 R2', '2.2.3'), parameters: {}, nothing: true },
    { guest: windows('2008 R2', '2.2.2'), parameters: {}, nothing: false },
    { guest: windows('2019', '2.10.0'), parameters: { TargetWindowsDriverVersion: '2.10.0' }, nothing: true },
    { guest: windows('2019', '2.10.0.0'), parameters: { TargetWindowsDriverVersion: '2.10.0' }, nothing: true },
    { guest: windows('2019', '2.11.0'), parameters: { TargetWindowsDriverVersion: '2.10.0' }, nothing: false },
  ])('judges Windows Server $guest.osVersion with driver $guest.enaDriver.version (parameters $parameters): nothing to do is $nothing', async ({ guest, parameters, nothing }) => {
    // Prepare
    const account = accountFor({ guest });

    // Act
    const result = await run(runbook, account, { CreateBackupImage: 'false', ...parameters });

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).at(-1)).toBe(nothing ? 'reportNothingToDo' : 'reportUpdated');
  });

  it.each([
    { driver: '2.1.3g', nothing: false },
    { driver: '2.2.9g', nothing: false },
    { driver: '2.2.10g', nothing: false },
    { driver: '2.2.11g', nothing: false },
    { driver: '2.6.0g', nothing: false },
    { driver: '2.8.1g', nothing: false },
    { driver: '2.8.4g', nothing: false },
    { driver: '2.9.1g', nothing: false },
    { driver: '1.5.0K', nothing: true },
    { driver: '2.10.0g', nothing: true },
    { driver: '2.12.0g', nothing: true },
    { driver: '2.17.0g', nothing: true },
  ])('judges the Amazon Linux 2 out-of-tree driver $driver against 2.10.0 and the known-bad releases: nothing to do is $nothing', async ({ driver, nothing }) => {
    // Prepare: the package manager would offer a newer kernel, so only the rule's judgement decides
    // (1.5.0K is the in-kernel copy, judged by its kernel 4.14.355, above Amazon Linux's 4.14.186).
    const account = accountFor({
      guest: { ...AMAZON_LINUX_2_CURRENT, enaDriver: { present: true, version: driver, source: 'out-of-tree' } },
      behaviours: (guest) => answersKernelCheck(guest, 'available'),
    });

    // Act
    const result = await run(runbook, account, { CreateBackupImage: 'false' });

    // Assess
    expect(result.trace.find((step) => step.stepName === 'decideLinux')?.nextStep).toBe(nothing ? 'reportNothingToDo' : 'decideBackup');
  });

  it.each([
    { kernel: '5.4.0-1103-aws', ends: 'reportNothingToDo', asksPackageManager: false },
    { kernel: '5.4.0-1025-aws', ends: 'reportNothingToDo', asksPackageManager: false },
    { kernel: '5.15.0-1051-aws', ends: 'reportNothingToDo', asksPackageManager: false },
    { kernel: '5.4.0-1024-aws', ends: 'refuseNoNewerKernel', asksPackageManager: true },
    { kernel: '5.4.0-1009-aws', ends: 'refuseNoNewerKernel', asksPackageManager: true },
    { kernel: '5.15.0-1051-generic', ends: 'refuseNoPublishedMinimum', asksPackageManager: false },
  ])('judges the in-tree driver on Ubuntu 20.04 kernel $kernel by its kernel: $ends, asking the package manager only for an update', async ({ kernel, ends, asksPackageManager }) => {
    // Prepare: when asked, the package manager offers nothing newer.
    const account = accountFor({ guest: { ...UBUNTU_2004_OLD_KERNEL, kernelRelease: kernel }, behaviours: (guest) => answersKernelCheck(guest, 'none') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).at(-1)).toBe(ends);
    expect(account.guest(INSTANCE_ID).scriptLog.some(({ commands }) => commands.join('\n').includes('ENA_GUARD_KERNEL_UPDATE'))).toBe(asksPackageManager);
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
    expect(commandsSent(account)).toEqual([]);
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
    { distribution: 'CentOS 7', guest: CENTOS_7, detail: /no kernel minimum for rhel 7 \(centos is judged as rhel\)/ },
    { distribution: 'Debian 12', guest: { ...CENTOS_7, osId: 'debian', osVersion: '12', osName: 'Debian GNU/Linux', kernelRelease: '6.1.0-18-cloud-amd64' }, detail: /no kernel minimum for distribution \W*debian/ },
  ])('$distribution, for which no minimum kernel is published, with guidance', async ({ guest, detail }) => {
    // Prepare: the package manager would offer a newer kernel.
    const account = accountFor({ guest, behaviours: (self) => answersKernelCheck(self, 'available') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseNoPublishedMinimum', /no published minimum kernel applies to i-0aaaaaaaaaaaaaaa1 \(ENA_GUARD_PLAN=no-minimum/);
    expect(result.failureMessage).toMatch(detail);
    expect(result.failureMessage).toMatch(/Add the kernels you trust to KernelMinimums/);
  });

  it('Amazon Linux 1 on the known-bad 2.8.1g, whose distribution offers no newer kernel', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_1 });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseNoNewerKernel', /is below the policy and its distribution offers no newer kernel .*ENA_GUARD_KERNEL_UPDATE=none/s);
    expect(result.failureMessage).toMatch(/EnaGuard-ReplaceImageWithEna/);
  });

  it('Windows older than Server 2008 R2', async () => {
    // Prepare
    const account = accountFor({ guest: { ...windows('2019', '2.2.2'), osName: 'Microsoft Windows Server 2008 Standard', osVersion: '6.0.6002', kernelRelease: '6.0.6002' } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseWindowsRequest', /Windows 6\.0\.6002 is older than Server 2008 R2/);
  });

  it.each(['2.2.4', '2.5.0'])('the rolled-back Windows driver %s', async (version) => {
    // Prepare
    const account = accountFor({ guest: windows('2019', '2.2.3') });

    // Act
    const result = await run(runbook, account, { TargetWindowsDriverVersion: version });

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseWindowsRequest', new RegExp(`${version.replace(/\./g, '\\.')} was rolled back by AWS`));
    expect(result.failureMessage).toMatch(new RegExp(`TargetWindowsDriverVersion ${version.replace(/\./g, '\\.')} on`));
  });

  it.each([
    { release: '2012 R2' as const, version: '2.7.0', says: /2\.7\.0 is above 2\.6\.0, the newest this Windows release can run/ },
    { release: '2012 R2' as const, version: '2.10.0', says: /2\.10\.0 is above 2\.6\.0/ },
    { release: '2012 R2' as const, version: '2.4.0', says: /2\.4\.0 is below the policy minimum 2\.6\.0/ },
    { release: '2008 R2' as const, version: '2.4.0', says: /2\.4\.0 is above 2\.2\.3, the newest this Windows release can run/ },
    { release: '2008 R2' as const, version: '2.2.10', says: /2\.2\.10 is above 2\.2\.3/ },
    { release: '2022' as const, version: '2.2.3', says: /2\.2\.3 is below the oldest this Windows release supports/ },
    { release: '2022' as const, version: '2.9.0', says: /2\.9\.0 is below the policy minimum 2\.10\.0/ },
    { release: '2019' as const, version: '2.9.0', says: /2\.9\.0 is below the policy minimum 2\.10\.0/ },
  ])('driver $version on Windows Server $release, which it cannot or may not run', async ({ release, version, says }) => {
    // Prepare
    const account = accountFor({ guest: windows(release, '2.1.4') });

    // Act
    const result = await run(runbook, account, { TargetWindowsDriverVersion: version });

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseWindowsRequest', says);
  });

  it.each<{ release: '2008 R2' | '2012 R2' | '2022'; version: string; parameters: Readonly<Record<string, string>> }>([
    { release: '2012 R2', version: '2.6.0', parameters: {} },
    { release: '2008 R2', version: '2.2.3', parameters: {} },
    { release: '2022', version: '2.10.0', parameters: {} },
    { release: '2022', version: '2.4.0', parameters: { WindowsMinimumDriverVersion: '2.4.0' } },
  ])('nothing when driver $version is asked for on Windows Server $release, which can run it (parameters $parameters)', async ({ release, version, parameters }) => {
    // Prepare
    const account = accountFor({ guest: windows(release, '2.1.4') });

    // Act
    const result = await run(runbook, account, { TargetWindowsDriverVersion: version, ...parameters });

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result)).toContain('installWindowsDriverRequested');
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe(version);
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
    expect(commandsSent(refused)).toEqual([]);
    expect(update.status).toBe('Success');
    expect(imagesCreated(allowed)).toEqual([]);
  });

  it('a Linux guest without an ENA driver whose distribution offers no newer kernel', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2023_WITHOUT_DRIVER, behaviours: (guest) => answersKernelCheck(guest, 'none') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseNoNewerKernel', /offers no newer kernel .*ENA_GUARD_DETAIL=no ENA driver in the guest/s);
  });

  it('Amazon Linux 2 below the minimum whose package manager offers no newer kernel, pointing to a new image', async () => {
    // Prepare
    const account = accountFor({ guest: AMAZON_LINUX_2_OLD_KERNEL, behaviours: (guest) => answersKernelCheck(guest, 'none') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseNoNewerKernel', /ENA_GUARD_DETAIL=2\.1\.3g against 2\.10\.0.*Replace the image \(EnaGuard-ReplaceImageWithEna\)/s);
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
    expect(commandsSent(account)).toEqual([]);
  });

  it.each([
    { parameter: 'InventoryAssociationId', value: 'abc' },
    { parameter: 'InventoryAssociationId', value: `${INVENTORY_ASSOCIATION_ID} ` },
    { parameter: 'InstanceId', value: 'i-XYZ' },
    { parameter: 'TargetWindowsDriverVersion', value: 'latest' },
    { parameter: 'TargetWindowsDriverVersion', value: '02.6.0' },
    { parameter: 'CreateBackupImage', value: 'yes' },
    { parameter: 'AutomationAssumeRole', value: 'arn:aws:iam::123456789012:user/alice' },
    { parameter: 'LinuxMinimumDriverVersion', value: '2.10.0; reboot' },
    { parameter: 'WindowsMinimumDriverVersion', value: '' },
    { parameter: 'RequireSecurityFixes', value: 'yes' },
    { parameter: 'KernelMinimums', value: 'amzn' },
    { parameter: 'AssessLinuxDocumentName', value: 'AWS-RunShellScript' },
    { parameter: 'KernelUpdateDocumentName', value: 'AWS-RunShellScript' },
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
    expect(stepsRun(result).slice(-3)).toEqual(['updateLinuxKernel', 'recoverAfterUpdateFailure', 'failUpdate']);
    expect(result.failureMessage).toMatch(/^Step failUpdate failed: .*update command did not succeed.*The automation did not reboot it/);
    expect(result.trace.find((step) => step.stepName === 'updateLinuxKernel')?.failureMessage).toMatch(/repomd\.xml/);
    expect(account.calls.calls({ operation: 'RebootInstances' })).toEqual([]);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(imagesCreated(account)).toHaveLength(1);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the update installs nothing and the driver is still below the minimum after the reboot', async () => {
    // Prepare: yum "succeeds" but installs nothing.
    const account = accountFor({ guest: AMAZON_LINUX_2_OLD_KERNEL, behaviours: (guest) => answersKernelCheck(guest, 'available') });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(stepsRun(result).slice(-3)).toEqual(['assessLinuxAfter', 'verifyLinux', 'failDriverStillOutdated']);
    expect(result.outputs['assessLinuxAfter.Output']).toContain('ENA_GUARD_DETAIL=2.1.3g against 2.10.0');
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_OLD_KERNEL.kernelRelease);
    expect(imagesCreated(account)).toHaveLength(1);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the new kernel leaves the driver below 2.10.0', async () => {
    // Prepare
    const account = accountFor({
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.yum, '4.14.186-146.268.amzn2.x86_64', { present: true, version: '2.9.0g', source: 'out-of-tree' });
      },
    });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).at(-1)).toBe('failDriverStillOutdated');
    expect(result.failureMessage).toMatch(/still does not meet the policy it was given .*replace the image \(EnaGuard-ReplaceImageWithEna\)\. Any backup image is kept\./);
    expect(result.outputs['assessLinuxAfter.Output']).toContain('ENA_GUARD_DETAIL=2.9.0g against 2.10.0');
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the new kernel has no ENA driver: the instance stays impaired, and the message points to the backup image', async () => {
    // Prepare
    const account = accountFor({
      guest: AMAZON_LINUX_2_OLD_KERNEL,
      behaviours: (guest) => {
        answersKernelCheck(guest, 'available');
        installsKernel(guest, UPDATE_COMMANDS.yum, AMAZON_LINUX_2_NEW_KERNEL, { present: false });
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

  it('when the agent goes offline after the update, so that the result cannot be read, and publishes nothing', async () => {
    // Prepare: the collector writes its file after the update, then the agent stops.
    const account = accountFor(happyPath('Amazon Linux 2'));
    agentStopsAfterLaterCollectorRuns(account);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(stepsRun(result).slice(-3)).toEqual(['choosePlatformVerification', 'assessLinuxAfter', 'failVerificationUnavailable']);
    expect(result.failureMessage).toMatch(/^Step failVerificationUnavailable failed: .*the result could not be read/);
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_NEW_KERNEL);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(inventoryPublished(account)).toMatchObject({ kernelRelease: AMAZON_LINUX_2_OLD_KERNEL.kernelRelease });
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it.each([
    { situation: 'the ENA interface is not driven by the ENA driver', change: (content: Record<string, string>) => ({ ...content, DriverLoaded: 'false', InterfaceDriver: 'vif' }) },
    { situation: 'the collector reports no driver at all', change: (content: Record<string, string>) => ({ ...content, DriverPresent: 'false', DriverLoaded: 'false', InterfaceDriver: 'vif', DriverVersion: '', DriverVersionSource: 'none', DriverBuild: 'unknown' }) },
  ])('when $situation after the update', async ({ change }) => {
    // Prepare
    const account = accountFor(happyPath('Ubuntu 20.04'));
    collectorChangingLaterRuns(account, change);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).slice(-2)).toEqual(['verifyLinux', 'failDriverNotBound']);
    expect(result.outputs['assessLinuxAfter.Output']).toContain('ENA_GUARD_BOUND=false');
    expect(result.failureMessage).toMatch(/has ENA enabled, but after the update its interface is not driven by a loaded ENA driver/);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the Windows package reports success but the adapter still runs the old driver', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2012 R2'));
    packageInstallThatDoesNothing(account);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(stepsRun(result).slice(-3)).toEqual(['assessWindowsAfter', 'verifyWindows', 'failDriverStillOutdated']);
    expect(result.outputs['assessWindowsAfter.Output']).toContain('ENA_GUARD_DETAIL=driver 2.2.3 outdated against 2.6.0');
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
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
    expect(documentsSent(account)).toEqual(['EnaGuard-CollectEnaDriverInventory', 'EnaGuard-AssessEnaDriverWindows']);
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe('2.2.3');
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the assessment gives no plan, in failAssessment, before changing anything', async () => {
    // Prepare: the package manager cannot answer the kernel check.
    const account = accountFor({ guest: AMAZON_LINUX_2_OLD_KERNEL, behaviours: (guest) => guest.onScript('ENA_GUARD_KERNEL_UPDATE', () => ({ exitCode: 1, stderr: 'Error: Failed to download metadata for repo' })) });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'failAssessment', /the assessment on i-0aaaaaaaaaaaaaaa1 gave no plan/);
    expect(result.trace.find((step) => step.stepName === 'assessLinuxBefore')?.status).toBe('Failed');
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
        violations.push(...invariantViolations(account, result).map((violation) => `${where}: ${violation}`));
        const starts = account.calls.calls({ operation: 'StartAssociationsOnce' }).filter((call) => call.error === undefined).length;
        if (result.status === 'Success') {
          // The invariants let the clock run on, so the gather started by publishInventory has published.
          const inventory = inventoryNow(account);
          if (stepsRun(result).at(-1) !== 'reportUpdated') violations.push(`${where}: succeeded in ${String(stepsRun(result).at(-1))}`);
          if (starts !== 1) violations.push(`${where}: succeeded after ${starts} StartAssociationsOnce`);
          if (updatedTo.driverVersion !== undefined && inventory?.driverVersion !== updatedTo.driverVersion) violations.push(`${where}: succeeded with driver ${String(inventory?.driverVersion)}`);
          if (updatedTo.kernelRelease !== undefined && inventory?.kernelRelease !== updatedTo.kernelRelease) violations.push(`${where}: succeeded with kernel ${String(inventory?.kernelRelease)}`);
        } else if (starts > 0) violations.push(`${where}: failed in ${String(stepsRun(result).at(-1))} after starting the inventory association`);
        const unexpected = documentsSent(account).filter((document) => !ALLOWED_DOCUMENTS.includes(document));
        if (unexpected.length > 0) violations.push(`${where}: sent ${unexpected.join(', ')}`);
        const outcome = `${result.status} at ${String(stepsRun(result).at(-1))}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }

      // Assess
      expect(cleanResult.status).toBe('Success');
      expect(points.length).toBeGreaterThan(30);
      expect(points.filter((point) => point.operation === 'DescribeAssociation')).toHaveLength(1);
      expect(points.filter((point) => point.operation === 'DescribeAutoScalingInstances')).toHaveLength(1);
      expect(points.filter((point) => point.operation === 'StartAssociationsOnce')).toHaveLength(1);
      expect(points.filter((point) => point.operation === 'ListInventoryEntries')).toEqual([]);
      expect(violations).toEqual([]);
      expect([...outcomes.values()].reduce((sum, count) => sum + count, 0)).toBe(points.length);
      if (mode === 'always') expect(outcomes.has('Success at reportUpdated')).toBe(false);
    });
  });
});

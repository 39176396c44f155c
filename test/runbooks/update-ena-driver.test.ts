/**
 * EnaGuard-UpdateEnaDriver, run by the simulator exactly as it is deployed: the happy paths on
 * Windows and Linux, the no-op paths, every refusal (the exemption tag, read live, among them),
 * the verification failures, and a fault matrix over every AWS call of each happy path. The
 * runbook decides on the guest: the collector writes a fresh item, and
 * EnaGuard-AssessEnaDriverLinux or -Windows compares it with the rule's thresholds, which the
 * runbook passes on. Every run takes the instance's lock first and releases it on every way out
 * (checked by the fixtures' run); step sequences are compared without that bookkeeping
 * (runbookSteps). A failure path goes on to releaseLock, so a run ends with the status and the
 * message of the first critical step that failed; each failure report's own message is read from
 * its step (stepFailure). Auto Scaling members: update-ena-driver-autoscaling.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Faults, ParameterError, type AccountModel, type AutomationDocument, type FaultPoint, type FaultRule, type GuestSpec, type SimulationResult } from '../../src/simulator/index.js';
import { LOCK_PRELUDE, heldLocks, runbookSteps, stepFailure } from '../support/runbook-lock.js';
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
  NEIGHBOUR_ID,
  READ_ONLY_DOCUMENTS,
  REFRESH_INVENTORY_DOCUMENT,
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
  inventoryRefreshes,
  invariantViolations,
  loadRunbook,
  lockItems,
  neighbourInventory,
  packageInstallThatDoesNothing,
  run,
  seedLock,
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

/**
 * The happy paths the fault matrix walks, each with a neighbour that the same inventory
 * association targets (whose inventory the runbook must never publish).
 */
const HAPPY_PATHS: readonly { readonly name: string; readonly scenario: Scenario; readonly updatedTo: { driverVersion?: string; kernelRelease?: string } }[] = [
  { name: 'Windows Server 2022', scenario: { guest: WINDOWS_2022_OLD_DRIVER, neighbour: true }, updatedTo: { driverVersion: '2.11.0' } },
  { name: 'Windows Server 2012 R2', scenario: { guest: WINDOWS_2012_R2_OLD_DRIVER, neighbour: true }, updatedTo: { driverVersion: '2.6.0' } },
  { name: 'Amazon Linux 2', scenario: { guest: AMAZON_LINUX_2_OLD_KERNEL, behaviours: amazonLinux2Updates, neighbour: true }, updatedTo: { driverVersion: '2.12.0g', kernelRelease: AMAZON_LINUX_2_NEW_KERNEL } },
  {
    name: 'Ubuntu 20.04',
    scenario: {
      neighbour: true,
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
    scenario: { guest: AMAZON_LINUX_2_OLD_KERNEL, autoScaling: { LifecycleState: 'Standby' }, behaviours: amazonLinux2Updates, neighbour: true },
    updatedTo: { driverVersion: '2.12.0g', kernelRelease: AMAZON_LINUX_2_NEW_KERNEL },
  },
];

function happyPath(name: string): Scenario {
  const found = HAPPY_PATHS.find((path) => path.name === name);
  if (found === undefined) throw new Error(`no happy path ${name}`);
  return found.scenario;
}

/** The documents the runbook may send: the read-only collector and assessments, the two vendor update paths, and the inventory refresh of its instance. */
const ALLOWED_DOCUMENTS = [...READ_ONLY_DOCUMENTS, 'EnaGuard-UpdateLinuxKernel', 'AWS-ConfigureAWSPackage', REFRESH_INVENTORY_DOCUMENT];

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

/** The inventory refreshes a run sent, as sent: to whom, with which association, and whether the call went through. */
function expectRefreshedOnce(account: AccountModel): void {
  expect(inventoryRefreshes(account)).toEqual([{ instanceIds: [INSTANCE_ID], parameters: { AssociationId: [INVENTORY_ASSOCIATION_ID] }, succeeded: true }]);
  expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
}

/**
 * Asserts that a run refused in `step` before changing anything, its report matching `reason`.
 * The run ends with the first critical step that failed: the refusal itself, or the check whose
 * failure led to it (`firstFailed`), whose message the run's failureMessage then carries.
 */
function expectRefusedWithoutChanges(account: AccountModel, result: SimulationResult, step: string, reason: RegExp, firstFailed: string = step): void {
  expect(result.status).toBe('Failed');
  expect(runbookSteps(result).at(-1)).toBe(step);
  const report = stepFailure(result, step);
  expect(report).toMatch(reason);
  expect(report).toMatch(/Nothing was changed\./);
  expect(result.failureMessage).toMatch(new RegExp(`^Step ${firstFailed} failed: `));
  expect(result.failureMessage).toBe(`Step ${firstFailed} failed: ${String(stepFailure(result, firstFailed))}`);
  expect(changesMade(account)).toEqual([]);
  expect(inventoryRefreshes(account)).toEqual([]);
}

describe('EnaGuard-UpdateEnaDriver on Windows', () => {
  it('backs up, installs the newest AwsEnaNetworkDriver on Windows Server 2022, reboots, verifies 2.11.0 and publishes it', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2022'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.map((step) => step.stepName).slice(0, LOCK_PRELUDE.length)).toEqual([...LOCK_PRELUDE]);
    expect(result.trace.at(-1)).toMatchObject({ stepName: 'releaseLock', status: 'Success' });
    expect(runbookSteps(result)).toContain('installWindowsDriverLatest');
    expect(runbookSteps(result).slice(-4)).toEqual(['assessWindowsAfter', 'verifyWindows', 'publishInventory', 'reportUpdated']);
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
    expect(account.ec2.image(backup ?? '')).toMatchObject({
      State: 'available',
      Tags: expect.arrayContaining([
        { Key: 'ena-guard:backup-of', Value: INSTANCE_ID },
        { Key: 'ena-guard:created-by', Value: 'EnaGuard-UpdateEnaDriver' },
        { Key: 'ena-guard:execution-id', Value: result.executionId },
      ]),
    });
    expect(inventoryPublished(account)).toMatchObject({ driverPresent: true, driverVersion: '2.11.0', interfaceDriver: 'ena', osFamily: 'windows' });
    expectRefreshedOnce(account);
    expect(neighbourInventory(account)).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('tags the backup image and its snapshots as it creates them, and tags nothing afterwards', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2022'));

    // Act
    const result = await run(runbook, account);

    // Assess: one CreateImage carries every tag (the role may create only images so tagged); there is no CreateTags.
    const tags = [
      { Key: 'ena-guard:backup-of', Value: INSTANCE_ID },
      { Key: 'ena-guard:created-by', Value: 'EnaGuard-UpdateEnaDriver' },
      { Key: 'ena-guard:execution-id', Value: result.executionId },
    ];
    expect(account.calls.calls({ operation: 'CreateImage' }).map((call) => (call.input as { TagSpecifications?: unknown }).TagSpecifications)).toEqual([
      [
        { ResourceType: 'image', Tags: tags },
        { ResourceType: 'snapshot', Tags: tags },
      ],
    ]);
    expect(account.calls.calls({ operation: 'CreateTags' })).toEqual([]);
    expect(runbookSteps(result).slice(runbookSteps(result).indexOf('createBackupImage'), runbookSteps(result).indexOf('createBackupImage') + 4)).toEqual([
      'createBackupImage',
      'waitForBackupImage',
      'waitForInstanceAfterBackup',
      'waitForAgentAfterBackup',
    ]);
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
    expect(runbookSteps(result)).toContain('installWindowsDriver260');
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
    expect(runbookSteps(result)).toContain('installWindowsDriver223');
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
    expect(runbookSteps(result)).toContain('installWindowsDriverRequested');
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
      REFRESH_INVENTORY_DOCUMENT,
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
    expect(runbookSteps(result)).toContain('updateLinuxKernel');
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
    expect(runbookSteps(update).at(-1)).toBe('reportUpdated');
    expect(update.outputs['assessLinuxBefore.Output']).toContain('ENA_GUARD_DETAIL=2.12.0g against 2.17.0');
    expect(raised.guest(INSTANCE_ID).runningDriver.version).toBe('2.17.1g');
    expect(nothing.status).toBe('Success');
    expect(runbookSteps(nothing).at(-1)).toBe('reportNothingToDo');
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
    expect([...new Set(named)].sort()).toEqual([
      'AWS-ConfigureAWSPackage',
      '{{ AssessLinuxDocumentName }}',
      '{{ AssessWindowsDocumentName }}',
      '{{ CollectorDocumentName }}',
      '{{ InventoryRefreshDocumentName }}',
      '{{ KernelUpdateDocumentName }}',
    ]);
    expect(JSON.stringify(runbook.content)).not.toMatch(/AWS-RunShellScript|AWS-RunPowerShellScript/);
  });

  it('refreshes inventory for its own instance only, exactly once, after the verified update', async () => {
    // Prepare: the association also targets a neighbour whose collector wrote an item no gather has published yet.
    const account = accountFor(happyPath('Amazon Linux 2'));
    expect(account.guest(NEIGHBOUR_ID).customInventoryFiles).toHaveLength(1);

    // Act
    const result = await run(runbook, account);

    // Assess: one EnaGuard-RefreshEnaDriverInventory, to this instance, after the reboot and the last assessment.
    expect(result.status).toBe('Success');
    expectRefreshedOnce(account);
    const refresh = account.calls
      .calls({ operation: 'SendCommand' })
      .find((call) => (call.input as { DocumentName: string }).DocumentName === REFRESH_INVENTORY_DOCUMENT);
    expect(refresh?.input).toMatchObject({ DocumentName: REFRESH_INVENTORY_DOCUMENT, InstanceIds: [INSTANCE_ID], Parameters: { AssociationId: [INVENTORY_ASSOCIATION_ID] } });
    const lastAssessment = account.calls
      .calls({ operation: 'SendCommand' })
      .filter((call) => (call.input as { DocumentName: string }).DocumentName === 'EnaGuard-AssessEnaDriverLinux')
      .at(-1);
    const reboot = account.calls.calls({ operation: 'RebootInstances' }).at(-1);
    expect(refresh?.seq).toBeGreaterThan(lastAssessment?.seq ?? Infinity);
    expect(refresh?.seq).toBeGreaterThan(reboot?.seq ?? Infinity);
    expect(result.trace.find((step) => step.stepName === 'publishInventory')).toMatchObject({ action: 'aws:runCommand', status: 'Success' });
    // Only this instance's inventory gets published; the neighbour's stays on its guest, and no call names it.
    expect(inventoryNow(account)?.kernelRelease).toBe(AMAZON_LINUX_2_OLD_KERNEL.kernelRelease);
    expect(inventoryPublished(account)?.kernelRelease).toBe(AMAZON_LINUX_2_NEW_KERNEL);
    expect(neighbourInventory(account)).toEqual([]);
    expect(account.calls.calls().filter((call) => call.resourceIds.includes(NEIGHBOUR_ID))).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it.each<{ situation: string; scenario: Scenario; parameters?: Readonly<Record<string, string>> }>([
    { situation: 'nothing to do on Windows', scenario: { guest: WINDOWS_2019_CURRENT } },
    { situation: 'nothing to do on Linux', scenario: { guest: AMAZON_LINUX_2023_CURRENT } },
    { situation: 'a refusal in the pre-checks', scenario: { guest: AMAZON_LINUX_2_OLD_KERNEL, instance: { State: { Code: 80, Name: 'stopped' } } } },
    { situation: 'a refusal by the assessment', scenario: { guest: CENTOS_7 } },
    { situation: 'a refused Windows request', scenario: { guest: windows('2019', '2.2.3') }, parameters: { TargetWindowsDriverVersion: '2.5.0' } },
    { situation: 'no newer kernel', scenario: { guest: AMAZON_LINUX_2_OLD_KERNEL } },
  ])('never refreshes the inventory on $situation', async ({ scenario, parameters }) => {
    // Prepare
    const account = accountFor({ ...scenario, neighbour: true });

    // Act
    const result = await run(runbook, account, parameters);

    // Assess
    expect(runbookSteps(result)).not.toContain('publishInventory');
    expect(inventoryRefreshes(account)).toEqual([]);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(changesMade(account)).toEqual([]);
    expect(neighbourInventory(account)).toEqual([]);
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
    expect(runbookSteps(result).slice(-3)).toEqual(['assessWindowsBefore', 'decideWindows', 'reportNothingToDo']);
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
    expect(runbookSteps(result).at(-1)).toBe('reportNothingToDo');
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
    expect(runbookSteps(result).slice(-2)).toEqual(['decideLinux', 'reportNothingToDo']);
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
    expect(runbookSteps(result).at(-1)).toBe(nothing ? 'reportNothingToDo' : 'reportUpdated');
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
    expect(runbookSteps(result).at(-1)).toBe(ends);
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
    expectRefusedWithoutChanges(account, result, 'refuseUnmanaged', /is not an online Systems Manager managed instance .* needs Run Command/, 'assertManagedAndOnline');
    expect(commandsSent(account)).toEqual([]);
  });

  it('a managed instance whose agent has lost its connection', async () => {
    // Prepare: ENA is enabled but the running kernel has no driver, so the guest has no network.
    const account = accountFor({ guest: { ...AMAZON_LINUX_2_OLD_KERNEL, enaDriver: { present: false } }, instance: { EnaSupport: true } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseUnmanaged', /PingStatus is not Online/, 'assertManagedAndOnline');
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
    expect(runbookSteps(result)).toContain('installWindowsDriverRequested');
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
    expect(runbookSteps(result)).toEqual(['checkInventoryAssociationGiven', 'refuseNoInventoryAssociation']);
    expect(account.calls.calls({ service: 'ssm' })).toEqual([]);
  });

  it('an association that does not exist', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    const result = await run(runbook, account, { InventoryAssociationId: '11111111-2222-4333-8444-555555555555' });

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseUnknownInventoryAssociation', /could not read the association 11111111-2222-4333-8444-555555555555/, 'describeInventoryAssociation');
    expect(stepFailure(result, 'describeInventoryAssociation')).toMatch(/AssociationDoesNotExist/);
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

  it('an InService Auto Scaling member (more in update-ena-driver-autoscaling.test.ts)', async () => {
    // Prepare
    const account = accountFor({ ...happyPath('Amazon Linux 2'), autoScaling: { LifecycleState: 'InService' } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedWithoutChanges(account, result, 'refuseAutoScalingMember', /LifecycleState is "InService".*is in an Auto Scaling group and not in Standby/);
    expect(commandsSent(account)).toEqual([]);
    expect(account.autoscaling.member(INSTANCE_ID)).toMatchObject({ LifecycleState: 'InService' });
    expect(invariantViolations(account, result)).toEqual([]);
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

describe('EnaGuard-UpdateEnaDriver and the instance lock', () => {
  /** Another execution, recorded in the account with `status`, that took the instance's lock at `acquiredAt`. */
  function lockedBy(account: AccountModel, status: 'InProgress' | 'Failed', acquiredAt: string): string {
    const holder = '7e3f1c2a-9b4d-4e5f-8a6b-1c2d3e4f5a6b';
    account.ssm.recordAutomationExecution({ id: holder, documentName: 'EnaGuard-EnableEnaSupport', status });
    seedLock(account, holder, acquiredAt);
    return holder;
  }

  it('takes the lock first, in its own name, and releases it last', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    const result = await run(runbook, account);

    // Assess
    const [put, ...rest] = account.calls.calls();
    expect(put).toMatchObject({ service: 'dynamodb', operation: 'PutItem', input: { TableName: 'EnaGuard-Locks', Item: { LockId: { S: INSTANCE_ID }, Holder: { S: result.executionId }, Runbook: { S: 'EnaGuard-UpdateEnaDriver' } } } });
    expect(rest.at(-1)).toMatchObject({ service: 'dynamodb', operation: 'DeleteItem', input: { Key: { LockId: { S: INSTANCE_ID } }, ExpressionAttributeValues: { ':me': { S: result.executionId } } } });
    expect(result.status).toBe('Success');
  });

  it('refuses while another execution that still runs holds the lock, changing nothing and leaving its lock', async () => {
    // Prepare: EnaGuard-EnableEnaSupport took the lock half an hour ago and still runs.
    const account = accountFor(happyPath('Amazon Linux 2'));
    const holder = lockedBy(account, 'InProgress', '2026-03-02T08:30:00Z');

    // Act
    const result = await run(runbook, account, {}, { lock: 'held-by-another' });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace.map((step) => step.stepName)).toEqual(['readLockTimes', 'acquireLock', 'readLockHolder', 'readLockHolderStatus', 'checkLockHolderEnded', 'refuseLocked']);
    expect(runbookSteps(result)).toEqual(['refuseLocked']);
    expect(stepFailure(result, 'refuseLocked')).toContain(`"${holder}"`);
    expect(stepFailure(result, 'refuseLocked')).toMatch(/Nothing was changed\./);
    expect(lockItems(account)).toEqual([expect.objectContaining({ Holder: { S: holder }, AcquiredAt: { S: '2026-03-02T08:30:00Z' } })]);
    expect(changesMade(account)).toEqual([]);
    expect(commandsSent(account)).toEqual([]);
    expect(account.calls.calls({ operation: 'DescribeTags' })).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('takes over the lock of an execution that has ended without releasing it, updates, and releases it', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));
    lockedBy(account, 'Failed', '2026-03-02T08:30:00Z');

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.map((step) => step.stepName).slice(0, 8)).toEqual([
      'readLockTimes',
      'acquireLock',
      'readLockHolder',
      'readLockHolderStatus',
      'checkLockHolderEnded',
      'takeOverStaleLock',
      'readExemptionTag',
      'checkExemption',
    ]);
    expect(runbookSteps(result).at(-1)).toBe('reportUpdated');
    expect(heldLocks(account)).toEqual([]);
  });

  it('takes a lock older than 24 hours directly, even when its execution seems to run', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));
    lockedBy(account, 'InProgress', '2026-03-01T08:59:59Z');

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.map((step) => step.stepName).slice(0, LOCK_PRELUDE.length)).toEqual([...LOCK_PRELUDE]);
  });
});

describe('EnaGuard-UpdateEnaDriver and the exemption tag, read as the run starts', () => {
  /** An account whose instance carries the exemption tag with `value` (or the tag `key`). */
  function exemptAccount(value: string, key = 'ena-guard:exempt'): AccountModel {
    return accountFor({ ...happyPath('Amazon Linux 2'), instance: { Tags: [{ Key: 'Name', Value: 'web-1' }, { Key: key, Value: value }] } });
  }

  /** Asserts a refusal by checkExemption, in the lock's prelude: nothing of the runbook's own ran, and nothing was changed or sent. */
  function expectRefusedByExemption(account: AccountModel, result: SimulationResult, message: string): void {
    expect(result.status).toBe('Failed');
    expect(result.trace.map((step) => step.stepName)).toEqual([...LOCK_PRELUDE, 'releaseLock']);
    expect(runbookSteps(result)).toEqual([]);
    expect(stepFailure(result, 'checkExemption')).toContain(message);
    expect(result.failureMessage).toBe(`Step checkExemption failed: ${String(stepFailure(result, 'checkExemption'))}`);
    expect(account.calls.calls().map((call) => call.operation)).toEqual(['PutItem', 'DescribeTags', 'DeleteItem']);
    expect(changesMade(account)).toEqual([]);
    expect(commandsSent(account)).toEqual([]);
    expect(imagesCreated(account)).toEqual([]);
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_OLD_KERNEL.kernelRelease);
    expect(invariantViolations(account, result)).toEqual([]);
  }

  it.each([
    { expiry: 'none', value: 'vendor appliance, driver pinned by the vendor', refusal: `Refused - ${INSTANCE_ID} is exempt by tag ena-guard:exempt: "vendor appliance, driver pinned by the vendor". Remove the tag to remediate it.` },
    {
      expiry: 'a future until= date',
      value: 'vendor appliance, driver pinned by the vendor; until=2026-12-31',
      refusal: `Refused - ${INSTANCE_ID} is exempt by tag ena-guard:exempt until 2026-12-31: "vendor appliance, driver pinned by the vendor". Remove the tag, or wait until the exemption expires, to remediate it.`,
    },
    { expiry: 'until= today (the whole day is exempt)', value: 'change freeze until=2026-03-02', refusal: `is exempt by tag ena-guard:exempt until 2026-03-02: "change freeze".` },
  ])('refuses an exempt instance, naming the tag and its reason, changing nothing (expiry: $expiry)', async ({ value, refusal }) => {
    // Prepare: the run starts on 2026-03-02.
    const account = exemptAccount(value);

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedByExemption(account, result, refusal);
    expect(account.calls.calls({ operation: 'DescribeTags' }).map((call) => call.input)).toEqual([
      {
        Filters: [
          { Name: 'resource-id', Values: [INSTANCE_ID] },
          { Name: 'key', Values: ['ena-guard:exempt'] },
        ],
      },
    ]);
  });

  it('refuses a tag without a reason', async () => {
    // Prepare: someone tagged the instance, but with an empty value.
    const account = exemptAccount('');

    // Act
    const result = await run(runbook, account);

    // Assess
    expectRefusedByExemption(account, result, `Refused - ${INSTANCE_ID} carries the exemption tag ena-guard:exempt without a reason. Give a reason in the tag value, or remove the tag, first.`);
  });

  it('refuses by the ExemptionTagKey it is given, and ignores the default key then', async () => {
    // Prepare
    const exempt = exemptAccount('owned by the payments team', 'acme:no-touch');
    const other = exemptAccount('owned by the payments team');

    // Act
    const refused = await run(runbook, exempt, { ExemptionTagKey: 'acme:no-touch' });
    const updated = await run(runbook, other, { ExemptionTagKey: 'acme:no-touch' });

    // Assess
    expectRefusedByExemption(exempt, refused, `is exempt by tag acme:no-touch: "owned by the payments team"`);
    expect(updated.status).toBe('Success');
    expect(runbookSteps(updated).at(-1)).toBe('reportUpdated');
  });

  it("goes ahead once the exemption's until= date has passed", async () => {
    // Prepare: the exemption lapsed the day before the run.
    const account = exemptAccount('vendor appliance; until=2026-03-01');

    // Act
    const result = await run(runbook, account);

    // Assess: the whole update, as without a tag.
    expect(result.status).toBe('Success');
    expect(result.trace.find((step) => step.stepName === 'checkExemption')?.outputs).toEqual({ Note: `The exemption of ${INSTANCE_ID} by tag ena-guard:exempt expired after 2026-03-01.` });
    expect(runbookSteps(result).at(-1)).toBe('reportUpdated');
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_NEW_KERNEL);
    expect(inventoryPublished(account)).toMatchObject({ kernelRelease: AMAZON_LINUX_2_NEW_KERNEL });
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('goes ahead without a tag, saying so', async () => {
    // Prepare
    const account = accountFor(happyPath('Amazon Linux 2'));

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.trace.find((step) => step.stepName === 'readExemptionTag')?.outputs).toEqual({ Values: [] });
    expect(result.trace.find((step) => step.stepName === 'checkExemption')?.outputs).toEqual({ Note: `${INSTANCE_ID} has no exemption tag ena-guard:exempt.` });
    expect(result.status).toBe('Success');
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
    expect(runbookSteps(result).slice(-3)).toEqual(['updateLinuxKernel', 'recoverAfterUpdateFailure', 'failUpdate']);
    expect(result.failureMessage).toMatch(/^Step updateLinuxKernel failed: .*repomd\.xml/);
    expect(stepFailure(result, 'failUpdate')).toMatch(/update command did not succeed.*The automation did not reboot it/);
    expect(stepFailure(result, 'updateLinuxKernel')).toMatch(/repomd\.xml/);
    expect(account.calls.calls({ operation: 'RebootInstances' })).toEqual([]);
    expect(inventoryRefreshes(account)).toEqual([]);
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
    expect(runbookSteps(result).slice(-3)).toEqual(['assessLinuxAfter', 'verifyLinux', 'failDriverStillOutdated']);
    expect(result.failureMessage).toBe(`Step failDriverStillOutdated failed: ${String(stepFailure(result, 'failDriverStillOutdated'))}`);
    expect(result.outputs['assessLinuxAfter.Output']).toContain('ENA_GUARD_DETAIL=2.1.3g against 2.10.0');
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_OLD_KERNEL.kernelRelease);
    expect(imagesCreated(account)).toHaveLength(1);
    expect(inventoryRefreshes(account)).toEqual([]);
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
    expect(result.status).toBe('Failed');
    expect(runbookSteps(result).at(-1)).toBe('failDriverStillOutdated');
    expect(result.failureMessage).toMatch(/^Step failDriverStillOutdated failed: .*still does not meet the policy it was given .*replace the image \(EnaGuard-ReplaceImageWithEna\)\. Any backup image is kept\./);
    expect(result.outputs['assessLinuxAfter.Output']).toContain('ENA_GUARD_DETAIL=2.9.0g against 2.10.0');
    expect(inventoryRefreshes(account)).toEqual([]);
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
    // The run ends with its first critical failure, the status check that never came: TimedOut.
    expect(result.status).toBe('TimedOut');
    expect(runbookSteps(result).slice(-3)).toEqual(['waitForInstanceStatusOk', 'recoverAfterRebootFailure', 'failReboot']);
    expect(result.trace.find((step) => step.stepName === 'waitForInstanceStatusOk')?.status).toBe('TimedOut');
    expect(result.failureMessage).toMatch(/^Step waitForInstanceStatusOk timed out: .*InstanceStatus\.Status/);
    expect(stepFailure(result, 'failReboot')).toMatch(/restore the root volume from the backup image \(output createBackupImage\.ImageId\)/);
    expect(inventoryRefreshes(account)).toEqual([]);
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
    expect(result.status).toBe(result.trace.find((step) => step.stepName === 'assessLinuxAfter')?.status);
    expect(['Failed', 'TimedOut']).toContain(result.status);
    expect(runbookSteps(result).slice(-3)).toEqual(['choosePlatformVerification', 'assessLinuxAfter', 'failVerificationUnavailable']);
    expect(result.failureMessage).toMatch(/^Step assessLinuxAfter (failed|timed out): /);
    expect(stepFailure(result, 'failVerificationUnavailable')).toMatch(/the result could not be read/);
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_NEW_KERNEL);
    expect(inventoryRefreshes(account)).toEqual([]);
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
    expect(result.status).toBe('Failed');
    expect(runbookSteps(result).slice(-2)).toEqual(['verifyLinux', 'failDriverNotBound']);
    expect(result.outputs['assessLinuxAfter.Output']).toContain('ENA_GUARD_BOUND=false');
    expect(result.failureMessage).toMatch(/^Step failDriverNotBound failed: .*has ENA enabled, but after the update its interface is not driven by a loaded ENA driver/);
    expect(inventoryRefreshes(account)).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the Windows package reports success but the adapter still runs the old driver', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2012 R2'));
    packageInstallThatDoesNothing(account);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(runbookSteps(result).slice(-3)).toEqual(['assessWindowsAfter', 'verifyWindows', 'failDriverStillOutdated']);
    expect(result.failureMessage).toMatch(/^Step failDriverStillOutdated failed: /);
    expect(result.outputs['assessWindowsAfter.Output']).toContain('ENA_GUARD_DETAIL=driver 2.2.3 outdated against 2.6.0');
    expect(inventoryRefreshes(account)).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it('when the backup image cannot be made, without installing anything', async () => {
    // Prepare
    const account = accountFor(happyPath('Windows Server 2022'), [Faults.failAlways('ec2', 'CreateImage', 'InsufficientInstanceCapacity')]);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(runbookSteps(result).slice(-3)).toEqual(['createBackupImage', 'recoverAfterBackupFailure', 'failBackup']);
    expect(result.failureMessage).toMatch(/^Step createBackupImage failed: .*InsufficientInstanceCapacity/);
    expect(stepFailure(result, 'failBackup')).toMatch(/backup image of .* could not be created, tagged, .* The driver was not changed\./);
    expect(inventoryRefreshes(account)).toEqual([]);
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
    expectRefusedWithoutChanges(account, result, 'failAssessment', /the assessment on i-0aaaaaaaaaaaaaaa1 gave no plan/, 'assessLinuxBefore');
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
      const succeededAt: string[] = [];

      // Act
      for (const point of points) {
        const account = accountFor(scenario, [faultAt(point, mode)]);
        const where = `${point.service}:${point.operation}#${point.attempt} (${mode})`;
        // releaseLock retries DeleteItem; a DeleteItem that always fails leaves the lock behind by design,
        // held by this execution, which has ended: the next run takes it over.
        const leavesLock = point.operation === 'DeleteItem' && mode === 'always';
        const result = await run(runbook, account, {}, { lock: leavesLock ? 'left-behind' : 'released' });
        if (!account.calls.calls().some((call) => call.error?.injected === true)) violations.push(`${where}: the fault never struck`);
        violations.push(...invariantViolations(account, result).map((violation) => `${where}: ${violation}`));
        const refreshes = inventoryRefreshes(account).filter((refresh) => refresh.succeeded).length;
        const last = runbookSteps(result).at(-1);
        if (result.status === 'Success') {
          // The invariants let the clock run on, so the gather of this instance that the refresh started has published.
          const inventory = inventoryNow(account);
          succeededAt.push(`${point.service}:${point.operation}#${point.attempt}`);
          if (last !== 'reportUpdated') violations.push(`${where}: succeeded in ${String(last)}`);
          if (refreshes < 1) violations.push(`${where}: succeeded without refreshing the inventory`);
          if (updatedTo.driverVersion !== undefined && inventory?.driverVersion !== updatedTo.driverVersion) violations.push(`${where}: succeeded with driver ${String(inventory?.driverVersion)}`);
          if (updatedTo.kernelRelease !== undefined && inventory?.kernelRelease !== updatedTo.kernelRelease) violations.push(`${where}: succeeded with kernel ${String(inventory?.kernelRelease)}`);
        } else if (refreshes > 0 && last !== 'failPublishInventory') {
          // A refresh goes out only after a verified update: a failed run that sent one failed while publishing.
          violations.push(`${where}: failed in ${String(last)} after refreshing the inventory`);
        }
        if (refreshes > 0 && !runbookSteps(result).includes('publishInventory')) violations.push(`${where}: refreshed the inventory outside publishInventory`);
        const unexpected = documentsSent(account).filter((document) => !ALLOWED_DOCUMENTS.includes(document));
        if (unexpected.length > 0) violations.push(`${where}: sent ${unexpected.join(', ')}`);
        if (leavesLock) {
          // The next run finds the lock of an ended execution and takes it over.
          const next = await run(runbook, account, {}, { lock: 'left-behind' });
          if (!result.trace.some((step) => step.stepName === 'releaseLock' && step.attempts === 3)) violations.push(`${where}: releaseLock did not retry DeleteItem 3 times`);
          const takeOver = next.trace.find((step) => step.stepName === 'takeOverStaleLock');
          if (takeOver?.status !== 'Success') violations.push(`${where}: the next run did not take the stale lock over (${String(takeOver?.status)})`);
          if (!runbookSteps(next).includes('checkInventoryAssociationGiven')) violations.push(`${where}: the next run stopped at ${String(next.trace.at(-1)?.stepName)}`);
          if (JSON.stringify(lockItems(account).map((item) => item['Holder'])) !== JSON.stringify([{ S: next.executionId }])) violations.push(`${where}: the lock is not the next run's`);
        }
        const outcome = `${result.status} at ${String(last)}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }

      // Assess
      expect(cleanResult.status).toBe('Success');
      expect(heldLocks(clean)).toEqual([]);
      expect(points.length).toBeGreaterThan(30);
      // The lock: one PutItem (acquireLock) first and one DeleteItem (releaseLock) last; the exemption tag read once, live.
      expect(points.filter((point) => point.service === 'dynamodb').map((point) => point.operation)).toEqual(['PutItem', 'DeleteItem']);
      expect(points[0]).toMatchObject({ service: 'dynamodb', operation: 'PutItem' });
      expect(points.at(-1)).toMatchObject({ service: 'dynamodb', operation: 'DeleteItem' });
      expect(points[1]).toMatchObject({ service: 'ec2', operation: 'DescribeTags' });
      expect(points.filter((point) => point.operation === 'DescribeTags')).toHaveLength(1);
      expect(points.filter((point) => point.operation === 'GetItem')).toEqual([]);
      expect(points.filter((point) => point.operation === 'DescribeAssociation')).toHaveLength(1);
      expect(points.filter((point) => point.operation === 'DescribeAutoScalingInstances')).toHaveLength(1);
      // The backup is tagged at creation (no CreateTags); inventory is published by a command to this instance, not StartAssociationsOnce.
      expect(points.filter((point) => point.operation === 'CreateImage')).toHaveLength(1);
      expect(points.filter((point) => point.operation === 'CreateTags')).toEqual([]);
      expect(points.filter((point) => point.operation === 'StartAssociationsOnce')).toEqual([]);
      expect(points.filter((point) => point.operation === 'ListInventoryEntries')).toEqual([]);
      expect(inventoryRefreshes(clean)).toEqual([{ instanceIds: [INSTANCE_ID], parameters: { AssociationId: [INVENTORY_ASSOCIATION_ID] }, succeeded: true }]);
      expect(violations).toEqual([]);
      expect([...outcomes.values()].reduce((sum, count) => sum + count, 0)).toBe(points.length);
      // A call that always fails stops the update, except releaseLock's DeleteItem: that step is not critical.
      if (mode === 'always') expect(succeededAt).toEqual(['dynamodb:DeleteItem#1']);
    });
  });
});

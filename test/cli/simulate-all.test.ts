/**
 * `simulate` for every Automation runbook of automation-docs/ on the bundled demo snapshot: a
 * success on a suitable demo resource, a refusal with the runbook's sentence, and an injected
 * fault (`faults`) that ends Failed with the runbook's way back in the report. Then what simulate
 * does with the other documents and parameters: the Command documents are refused in one sentence,
 * AWS's own parameter types are accepted with their value forms, a StringList value is split on
 * commas as the AWS CLI splits it, and a fault that names nothing the run has is refused.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_COLLECTOR_ASSOCIATION_ID, DEMO_INVENTORY_ASSOCIATION_ID } from '../../examples/demo-fleet/associations.js';
import { AUTOMATION_DOCS, automationRunbooks, renderSimulation, simulateRunbook, type SimulationReport } from '../../src/cli/simulate.js';
import { EnaGuardError } from '../../src/errors.js';
import { InvalidFaultError, ParameterError, type StepTrace } from '../../src/simulator/index.js';

const DEMO_FLEET = fileURLToPath(new URL('../../examples/demo-fleet/', import.meta.url));

/** reporting-db: Amazon Linux 2 with an out-of-tree ENA driver, ENA off, running on r4.xlarge. */
const REPORTING_DB = 'i-0a11c0ffee0000003';
/** vendor-appliance: exempt by its ena-guard:exempt tag. */
const VENDOR_APPLIANCE = 'i-0a11c0ffee0000008';
/** erp-legacy: Windows Server 2012 R2, AwsEnaNetworkDriver 2.5.0 (below the policy). */
const ERP_LEGACY = 'i-0a11c0ffee0000013';
/** legacy-centos6-2019.04: HVM, EBS, owned, no ENA. */
const AMI_WITHOUT_ENA = 'ami-0a3c0ffee00000003';
/** legacy-ftp-pv-2013.02: paravirtual. */
const PARAVIRTUAL_AMI = 'ami-0a3c0ffee00000021';
/** The demo VPC's subnet, for the boot test of a new AMI. */
const DEMO_SUBNET = 'subnet-0f1e2d3c4b5a69788';

const AUTOMATION_RUNBOOKS = ['EnaGuard-EnableEnaSupport', 'EnaGuard-ReplaceImageWithEna', 'EnaGuard-UpdateEnaDriver'];

function stepNames(report: SimulationReport): string[] {
  return report.result.trace.map((step) => step.stepName);
}

function step(report: SimulationReport, name: string): StepTrace | undefined {
  return report.result.trace.find((candidate) => candidate.stepName === name);
}

/** The operations of the calls that would change something, in order. */
function changedOperations(report: SimulationReport): string[] {
  return report.changes.map((change) => change.split(' ')[0] ?? '');
}

/** What a promise rejects with (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected a refusal, but the simulation ran');
  return outcome;
}

describe('the runbooks simulate runs', () => {
  it('are the Automation runbooks of automation-docs/, and only those', async () => {
    // Act
    const runbooks = await automationRunbooks();

    // Assess
    expect(runbooks).toEqual(AUTOMATION_RUNBOOKS);
    expect(readdirSync(AUTOMATION_DOCS).length).toBeGreaterThan(runbooks.length);
  });
});

describe('simulate EnaGuard-EnableEnaSupport on the demo', () => {
  const RUNBOOK = 'EnaGuard-EnableEnaSupport';

  it('turns ENA on for reporting-db, whose inventory reports a driver, and succeeds', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { InstanceId: REPORTING_DB });

    // Assess
    expect(report.result.status).toBe('Success');
    expect(report.changes).toContain(`ec2:ModifyInstanceAttribute {"InstanceId":"${REPORTING_DB}","EnaSupport":{"Value":true}}`);
    expect(report.account.ec2.instance(REPORTING_DB)?.EnaSupport).toBe(true);
  });

  it('refuses the exempt vendor-appliance with the exemption sentence and changes nothing on it', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { InstanceId: VENDOR_APPLIANCE });

    // Assess
    expect(report.result.status).toBe('Failed');
    expect(report.result.failureMessage).toBe(
      `Step checkExemption failed: Refused - ${VENDOR_APPLIANCE} is exempt by tag ena-guard:exempt: "vendor image certified without ENA until 2027-03". Remove the tag to remediate it.`,
    );
    expect(changedOperations(report)).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem']);
  });

  it('with the fault startInstance, fails, turns ENA back off, starts the instance again and releases the lock', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { InstanceId: REPORTING_DB }, { faults: ['startInstance'] });

    // Assess
    expect(report.result.status).toBe('Failed');
    expect(report.result.failureMessage).toBe('Step startInstance failed: Injected fault: the aws:changeInstanceState action of step startInstance failed');
    const after = stepNames(report).slice(stepNames(report).indexOf('startInstance'));
    expect(after).toEqual(['startInstance', 'rollbackWaitUntilSettled', 'rollbackStop', 'rollbackEnaSupport', 'decideRollbackStart', 'rollbackStart', 'confirmRolledBack', 'releaseLock']);
    expect(report.changes.at(-3)).toBe(`ec2:ModifyInstanceAttribute {"InstanceId":"${REPORTING_DB}","EnaSupport":{"Value":false}}`);
    expect(report.changes.at(-1)).toMatch(/^dynamodb:DeleteItem /);
    expect(report.account.ec2.instance(REPORTING_DB)).toMatchObject({ EnaSupport: false, State: { Name: 'running' } });
    expect(report.faults).toEqual([{ fault: 'startInstance', struck: 1 }]);
    const text = renderSimulation(report);
    expect(text).toMatch(/Failed\s+startInstance \(aws:changeInstanceState\) -- Injected fault/);
    expect(text).toMatch(/Success\s+rollbackEnaSupport \(aws:executeAwsApi\)/);
    expect(text).toContain('Injected fault: startInstance - struck 1 time');
  });
});

describe('simulate EnaGuard-ReplaceImageWithEna on the demo', () => {
  const RUNBOOK = 'EnaGuard-ReplaceImageWithEna';

  it('registers an ENA copy of legacy-centos6, boot-tests it in the demo subnet, deprecates the old AMI, and succeeds', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { ResourceId: AMI_WITHOUT_ENA, BootTestSubnetId: DEMO_SUBNET });

    // Assess
    expect(report.result.status).toBe('Success');
    expect(changedOperations(report)).toEqual(['ec2:RegisterImage', 'ec2:RunInstances', 'ec2:TerminateInstances', 'ec2:CreateTags', 'ec2:CreateTags', 'ec2:CreateTags', 'ec2:EnableImageDeprecation']);
    expect(report.result.outputs['readNewImage.NewImageId']).toMatch(/^ami-[a-f0-9]{17}$/);
  });

  it('refuses the paravirtual legacy-ftp AMI with the runbook’s reason and changes nothing', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { ImageId: PARAVIRTUAL_AMI });

    // Assess
    expect(report.result.status).toBe('Failed');
    expect(report.result.failureMessage).toBe(
      'Step refuseParavirtualImage failed: Property $.Images[0].VirtualizationType is "paravirtual"; expected one of ["hvm (a paravirtual AMI cannot use ENA at all: rebuild it as an HVM AMI)"]',
    );
    expect(report.changes).toEqual([]);
  });

  it('with the fault assertNewImageBootsWithEna, fails, terminates the boot-test instance, tags the new AMI failed and leaves the old AMI alone', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { ResourceId: AMI_WITHOUT_ENA, BootTestSubnetId: DEMO_SUBNET }, { faults: ['assertNewImageBootsWithEna'] });

    // Assess
    expect(report.result.status).toBe('Failed');
    expect(stepNames(report).slice(-3)).toEqual(['assertNewImageBootsWithEna', 'terminateBootTestInstanceAfterFailure', 'tagNewImageBootTestFailed']);
    expect(changedOperations(report)).toEqual(['ec2:RegisterImage', 'ec2:RunInstances', 'ec2:TerminateInstances', 'ec2:CreateTags']);
    expect(report.changes.at(-1)).toContain('{"Key":"ena-guard:boot-test","Value":"failed"}');
    const testInstance = step(report, 'launchBootTestInstance')?.outputs['BootTestInstanceId'] as string;
    expect(report.account.ec2.instance(testInstance)?.State?.Name).toBe('terminated');
    expect(report.account.ec2.image(AMI_WITHOUT_ENA)?.DeprecationTime).toBeUndefined();
    expect(renderSimulation(report)).toMatch(/Success\s+terminateBootTestInstanceAfterFailure \(aws:changeInstanceState\)/);
  });
});

describe('simulate EnaGuard-UpdateEnaDriver on the demo, with the demo’s inventory association', () => {
  const RUNBOOK = 'EnaGuard-UpdateEnaDriver';

  it('backs up erp-legacy, installs AwsEnaNetworkDriver 2.6.0, reboots, verifies, republishes its inventory, and succeeds', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { InstanceId: ERP_LEGACY, InventoryAssociationId: DEMO_INVENTORY_ASSOCIATION_ID });

    // Assess
    expect(report.result.status).toBe('Success');
    expect(step(report, 'describeInventoryAssociation')?.outputs).toEqual({ Name: 'AWS-GatherSoftwareInventory' });
    expect(stepNames(report)).toEqual(expect.arrayContaining(['createBackupImage', 'installWindowsDriver260', 'rebootInstance', 'verifyWindows', 'publishInventory', 'reportUpdated']));
    expect(report.changes).toContain(`ssm:SendCommand {"DocumentName":"AWS-ConfigureAWSPackage","InstanceIds":["${ERP_LEGACY}"],"Parameters":{"action":["Install"],"name":["AwsEnaNetworkDriver"],"version":["2.6.0"]}}`);
    expect(report.assumptions).toEqual([`${DEMO_INVENTORY_ASSOCIATION_ID}: list-associations shows no parameters, so association AWS-GatherSoftwareInventory is assumed to gather custom inventory`]);
  });

  it('refuses the collector’s association as InventoryAssociationId, naming what it runs', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { InstanceId: ERP_LEGACY, InventoryAssociationId: DEMO_COLLECTOR_ASSOCIATION_ID });

    // Assess
    expect(report.result.status).toBe('Failed');
    expect(report.result.failureMessage).toContain(
      `Refused: the association ${DEMO_COLLECTOR_ASSOCIATION_ID} runs EnaGuard-CollectEnaDriverInventory, not AWS-GatherSoftwareInventory, and re-applying it would run that on the instance.`,
    );
    expect(changedOperations(report)).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem']);
  });

  it('with the fault aws:ec2:RebootInstances=IncorrectInstanceState, fails, makes sure the instance runs again and releases the lock', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { InstanceId: ERP_LEGACY, InventoryAssociationId: DEMO_INVENTORY_ASSOCIATION_ID }, { faults: ['aws:ec2:RebootInstances=IncorrectInstanceState'] });

    // Assess
    expect(report.result.status).toBe('Failed');
    expect(report.result.failureMessage).toMatch(/^Step rebootInstance failed: An error occurred \(IncorrectInstanceState\) when calling the RebootInstances operation: Injected fault/);
    expect(stepNames(report).slice(-4)).toEqual(['rebootInstance', 'recoverAfterRebootFailure', 'failReboot', 'releaseLock']);
    expect(changedOperations(report).slice(-2)).toEqual(['ec2:StartInstances', 'dynamodb:DeleteItem']);
    expect(changedOperations(report)).not.toContain('ec2:RebootInstances');
    expect(report.faults).toEqual([{ fault: 'aws:ec2:RebootInstances=IncorrectInstanceState', struck: 3 }]);
    expect(renderSimulation(report)).toContain('Injected fault: aws:ec2:RebootInstances=IncorrectInstanceState - struck 3 times');
  });

  it('with the fault ec2:RebootInstances#1, fails only the first call, which the step’s next attempt outlives', async () => {
    // Act
    const report = await simulateRunbook(RUNBOOK, DEMO_FLEET, { InstanceId: ERP_LEGACY, InventoryAssociationId: DEMO_INVENTORY_ASSOCIATION_ID }, { faults: ['ec2:RebootInstances#1'] });

    // Assess
    expect(report.result.status).toBe('Success');
    expect(step(report, 'rebootInstance')?.attempts).toBe(2);
    expect(report.account.calls.calls({ service: 'ec2', operation: 'RebootInstances' }).map((call) => call.error?.code)).toEqual(['InternalError', undefined]);
    expect(report.faults).toEqual([{ fault: 'ec2:RebootInstances#1', struck: 1 }]);
  });
});

describe('simulate refuses what is not an Automation runbook', () => {
  it.each(readdirSync(AUTOMATION_DOCS).map((file) => basename(file, '.yaml')).filter((name) => !AUTOMATION_RUNBOOKS.includes(name)))(
    'refuses the Command document %s in one sentence naming the runbooks it runs',
    async (name) => {
      // Act
      const error = await refusal(simulateRunbook(name, DEMO_FLEET, {}));

      // Assess
      expect(error).toBeInstanceOf(EnaGuardError);
      expect(error.message).toMatch(
        new RegExp(`^${name} is a Command document run by State Manager or Run Command on instances, not an Automation runbook; simulate runs Automation runbooks: EnaGuard-EnableEnaSupport, EnaGuard-ReplaceImageWithEna, EnaGuard-UpdateEnaDriver( \\(EnaGuard-(EnableEnaSupport|UpdateEnaDriver) runs it in its simulation\\))?\\.$`),
      );
    },
  );

  it('says which runbook runs the collector', async () => {
    // Act
    const error = await refusal(simulateRunbook('EnaGuard-CollectEnaDriverInventory', DEMO_FLEET, {}));

    // Assess
    expect(error.message).toBe(
      'EnaGuard-CollectEnaDriverInventory is a Command document run by State Manager or Run Command on instances, not an Automation runbook; simulate runs Automation runbooks: EnaGuard-EnableEnaSupport, EnaGuard-ReplaceImageWithEna, EnaGuard-UpdateEnaDriver (EnaGuard-UpdateEnaDriver runs it in its simulation).',
    );
  });
});

describe('simulate refuses a fault that names nothing the run has', () => {
  it.each([
    ['startInstances', /^Fault "startInstances": EnaGuard-EnableEnaSupport has no step startInstances; its steps are readLockTimes, acquireLock, .*, startInstance, .* and releaseLock\.$/],
    ['ec2:StartInstance', /^Fault "ec2:StartInstance": the simulator's ec2 has no API StartInstance; its ec2 APIs are CreateImage, .*, StartInstances, StopInstances and TerminateInstances\.$/],
    ['s3:PutObject', /^Fault "s3:PutObject": the simulator models the services ec2, ssm, autoscaling and dynamodb, not s3\.$/],
    ['ec2:StartInstances=', /^Fault "ec2:StartInstances=" is malformed: give STEP, SERVICE:Api, SERVICE:Api=ErrorCode or SERVICE:Api#N=ErrorCode/],
    ['ec2:StartInstances#0', /^Fault "ec2:StartInstances#0" is malformed/],
    ['start instance', /^Fault "start instance" is malformed/],
  ])('refuses %j in one sentence naming the valid choices', async (fault, message) => {
    // Act
    const error = await refusal(simulateRunbook('EnaGuard-EnableEnaSupport', DEMO_FLEET, { InstanceId: REPORTING_DB }, { faults: [fault] }));

    // Assess
    expect(error).toBeInstanceOf(InvalidFaultError);
    expect(error.message).toMatch(message);
  });
});

describe('simulate takes parameters as the AWS CLI passes them', () => {
  const directories: string[] = [];
  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  /** A runbook in AWS's own style: AWS resource parameter types and a StringList. */
  function awsStyleRunbook(): string {
    const directory = mkdtempSync(join(tmpdir(), 'ena-guard-simulate-'));
    directories.push(directory);
    const path = join(directory, 'Example-DescribeInstances.yaml');
    writeFileSync(
      path,
      [
        "schemaVersion: '0.3'",
        "assumeRole: '{{ AutomationAssumeRole }}'",
        'parameters:',
        '  InstanceIds:',
        "    type: 'List<AWS::EC2::Instance::Id>'",
        '  AutomationAssumeRole:',
        "    type: 'AWS::IAM::Role::Arn'",
        "    default: ''",
        '  TagKeys:',
        '    type: StringList',
        '    default: [Name]',
        'mainSteps:',
        '- name: describeInstances',
        '  action: aws:executeAwsApi',
        '  inputs:',
        '    Service: ec2',
        '    Api: DescribeInstances',
        "    InstanceIds: '{{ InstanceIds }}'",
        '  outputs:',
        '  - {Name: InstanceIds, Selector: "$.Reservations[*].Instances[*].InstanceId", Type: StringList}',
        '- name: describeTags',
        '  action: aws:executeAwsApi',
        '  inputs:',
        '    Service: ec2',
        '    Api: DescribeTags',
        '    Filters:',
        "    - {Name: key, Values: '{{ TagKeys }}'}",
        'outputs:',
        '- describeInstances.InstanceIds',
        '',
      ].join('\n'),
    );
    return path;
  }

  it('accepts List<AWS::EC2::Instance::Id> and AWS::IAM::Role::Arn, and splits list values on commas', async () => {
    // Prepare
    const runbook = awsStyleRunbook();

    // Act
    const report = await simulateRunbook(runbook, DEMO_FLEET, {
      InstanceIds: 'i-0a11c0ffee0000001, i-0a11c0ffee0000002',
      AutomationAssumeRole: 'arn:aws:iam::111122223333:role/EnaGuard-Automation',
      TagKeys: 'Name,Owner',
    });

    // Assess
    expect(report.runbook).toBe('Example-DescribeInstances');
    expect(report.result.status).toBe('Success');
    expect(report.result.outputs['describeInstances.InstanceIds']).toEqual(['i-0a11c0ffee0000001', 'i-0a11c0ffee0000002']);
    expect(step(report, 'describeTags')?.inputs).toMatchObject({ Filters: [{ Name: 'key', Values: ['Name', 'Owner'] }] });
  });

  it('keeps a String value whole, commas and all', async () => {
    // Act
    const report = await simulateRunbook('EnaGuard-UpdateEnaDriver', DEMO_FLEET, {
      InstanceId: ERP_LEGACY,
      InventoryAssociationId: DEMO_INVENTORY_ASSOCIATION_ID,
      KernelMinimums: 'amzn:2=4.14.200,ubuntu:20.04=5.4.0.1020',
    });

    // Assess
    expect(report.result.status).toBe('Success');
  });

  it.each([
    [{ InstanceIds: 'i-0a11c0ffee0000001,web-1' }, 'Parameter InstanceIds: value "web-1" is not a valid AWS::EC2::Instance::Id (^m?i-([a-z0-9]{8}|[a-z0-9]{17})$)'],
    [{ InstanceIds: 'i-0a11c0ffee0000001', AutomationAssumeRole: 'EnaGuard-Automation' }, 'Parameter AutomationAssumeRole: value "EnaGuard-Automation" is not a valid AWS::IAM::Role::Arn'],
  ])('refuses %j for an id or ARN not of AWS’s form', async (parameters, message) => {
    // Act
    const error = await refusal(simulateRunbook(awsStyleRunbook(), DEMO_FLEET, parameters));

    // Assess
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).toContain(message);
  });
});

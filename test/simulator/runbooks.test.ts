import { describe, expect, it } from 'vitest';
import { AccountModel, formatTrace, loadDocument, simulate } from '../../src/simulator/index.js';
import {
  INSTANCE_ID,
  INSTANCE_TYPES,
  LINUX_WITHOUT_DRIVER,
  LINUX_WITH_DRIVER,
  START,
  WINDOWS_2012_R2,
  documentPath,
  durationMs,
  instance,
  reservation,
  singleInstanceAccount,
} from './fixtures.js';

describe('a stop-then-start runbook (the public AWS-StopEC2Instance / StartEC2Instance pattern)', () => {
  it('stops, waits for stopped, starts and waits for both status checks, in simulated minutes', async () => {
    // Prepare
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.map((s) => [s.stepName, s.status])).toEqual([
      ['requestStop', 'Success'],
      ['waitUntilStopped', 'Success'],
      ['requestStart', 'Success'],
      ['waitUntilRunning', 'Success'],
      ['readFinalState', 'Success'],
    ]);
    expect(result.outputs).toEqual({ 'requestStop.PreviousState': 'running', 'readFinalState.State': 'running' });
    expect(durationMs(result.trace[1])).toBe(30_000);
    expect(durationMs(result.trace[3])).toBe(135_000);
    expect(result.trace[0]?.inputs).toEqual({ Service: 'ec2', Api: 'StopInstances', InstanceIds: [INSTANCE_ID] });
    expect(account.calls.calls({ operation: 'StopInstances' })).toHaveLength(1);
    expect(account.calls.calls({ operation: 'StartInstances' })).toHaveLength(1);
  });

  it('fails at the stop when the instance is stop-protected, and never starts it', async () => {
    // Prepare
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));
    const account = singleInstanceAccount({ snapshot: { instanceExtras: { [INSTANCE_ID]: { disableApiStop: true } } } });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace).toHaveLength(1);
    expect(result.failureMessage).toMatch(/OperationNotPermitted/);
  });

  it('prints a trace with offsets, durations and outputs', async () => {
    // Prepare
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Act
    const text = formatTrace(result.trace);

    // Assess
    expect(text.split('\n')).toHaveLength(5);
    expect(text).toContain('Success   requestStop (aws:executeAwsApi) PreviousState=running');
    expect(text).toMatch(/\+ {3}30s {5}0s Success {3}requestStart \(aws:executeAwsApi\)/);
  });
});

describe('an enable-ENA runbook with rollback', () => {
  it('enables ENA on a guest that has the driver and verifies it', async () => {
    // Prepare
    const document = await loadDocument(documentPath('enable-ena.yaml'));
    const account = singleInstanceAccount({ guest: LINUX_WITH_DRIVER });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.map((s) => s.stepName)).toEqual(['stopInstance', 'enableEna', 'startInstance', 'verifyEna']);
    expect(account.ec2.instance(INSTANCE_ID)?.EnaSupport).toBe(true);
  });

  it('times out on the failed status checks of a guest without a driver and rolls back to the old adapter', async () => {
    // Prepare
    const document = await loadDocument(documentPath('enable-ena.yaml'));
    const account = singleInstanceAccount({ guest: LINUX_WITHOUT_DRIVER });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.trace.map((s) => [s.stepName, s.status])).toEqual([
      ['stopInstance', 'Success'],
      ['enableEna', 'Success'],
      ['startInstance', 'TimedOut'],
      ['stopForRollback', 'Success'],
      ['disableEna', 'Success'],
      ['restartOnOldAdapter', 'Success'],
    ]);
    expect(result.status).toBe('TimedOut');
    expect(result.failureMessage).toMatch(/Step startInstance timed out: .*both status checks ok/);
    expect(account.ec2.instance(INSTANCE_ID)?.EnaSupport).toBe(false);
    expect(account.ec2.statusChecks(INSTANCE_ID)).toEqual({ instance: 'ok', system: 'ok' });
  });

  it('catches a runbook that modifies ENA without stopping first', async () => {
    // Prepare
    const document = await loadDocument(documentPath('modify-while-running.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.failureMessage).toBe(
      `An error occurred (IncorrectInstanceState) when calling the ModifyInstanceAttribute operation: The instance '${INSTANCE_ID}' is not in the 'stopped' state.`,
    );
  });

  it('cannot stop an instance-store instance, so the runbook fails at its first step', async () => {
    // Prepare
    const document = await loadDocument(documentPath('enable-ena.yaml'));
    const account = singleInstanceAccount({ instance: { InstanceType: 'i3.large', RootDeviceType: 'instance-store' } });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.trace.map((s) => s.stepName)).toEqual(['stopInstance']);
    expect(result.failureMessage).toMatch(/UnsupportedOperation/);
  });
});

describe('aws:changeInstanceState', () => {
  it('asserts the state with CheckStateOnly without calling a state-changing API, then stops the instance', async () => {
    // Prepare
    const document = await loadDocument(documentPath('change-state.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(account.calls.calls().filter((c) => c.operation === 'StopInstances').map((c) => c.seq)).toHaveLength(1);
    expect(account.calls.calls({ operation: 'StartInstances' })).toHaveLength(0);
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Name).toBe('stopped');
  });

  it('times out CheckStateOnly running on a stopped instance instead of starting it', async () => {
    // Prepare
    const document = await loadDocument(documentPath('change-state.yaml'));
    const account = singleInstanceAccount({ instance: { State: { Code: 80, Name: 'stopped' } } });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('TimedOut');
    expect(durationMs(result.trace[0])).toBe(60_000);
    expect(account.calls.calls({ operation: 'StartInstances' })).toHaveLength(0);
  });

  it('terminates an instance and waits for terminated', async () => {
    // Prepare
    const document = await loadDocument(documentPath('terminate.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Name).toBe('terminated');
  });
});

describe('aws:createImage', () => {
  it('outputs ImageId and ImageState once the image is available', async () => {
    // Prepare
    const document = await loadDocument(documentPath('backup-image.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    const imageId = result.outputs['createBackup.ImageId'] as string;
    expect(imageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(result.outputs['createBackup.ImageState']).toBe('available');
    expect(account.ec2.image(imageId)?.Tags).toEqual([{ Key: 'ena-guard:backup-of', Value: INSTANCE_ID }]);
    expect(durationMs(result.trace[0])).toBe(300_000);
  });
});

describe('aws:runCommand', () => {
  it('runs a script on two instances and returns the first one’s output', async () => {
    // Prepare
    const document = await loadDocument(documentPath('run-script.yaml'));
    const account = AccountModel.fromSnapshot({
      startTime: START,
      instanceTypes: INSTANCE_TYPES,
      reservations: [reservation('r-1', [instance({ InstanceId: 'i-0000000000000000a' }), instance({ InstanceId: 'i-0000000000000000b' })])],
      guests: { 'i-0000000000000000a': LINUX_WITH_DRIVER, 'i-0000000000000000b': LINUX_WITH_DRIVER },
    });
    account.guest('i-0000000000000000a').onScript(/uname -r/, () => ({ stdout: '4.14.355-275.570.amzn2.x86_64\n' }));
    account.guest('i-0000000000000000b').onScript(/uname -r/, () => ({ stdout: 'other\n' }));

    // Act
    const result = await simulate(document, { InstanceIds: ['i-0000000000000000a', 'i-0000000000000000b'], Commands: ['uname -r'] }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs).toEqual({ 'runScript.Output': '4.14.355-275.570.amzn2.x86_64\n', 'runScript.Status': 'Success', 'runScript.ResponseCode': 0 });
    expect(account.calls.calls({ operation: 'SendCommand' })[0]?.input).toMatchObject({ Parameters: { commands: ['uname -r'] } });
  });

  it('fails the step when the script exits non-zero, naming the instance and exit code', async () => {
    // Prepare
    const document = await loadDocument(documentPath('run-script.yaml'));
    const account = singleInstanceAccount();
    account.guest(INSTANCE_ID).onScript('exit 3', () => ({ exitCode: 3, stderr: 'boom' }));

    // Act
    const result = await simulate(document, { InstanceIds: [INSTANCE_ID], Commands: ['exit 3'] }, { account });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.failureMessage).toMatch(new RegExp(`${INSTANCE_ID}: Failed \\(exit 3\\) boom`));
  });

  it('refuses more than 50 instances before calling SendCommand', async () => {
    // Prepare
    const document = await loadDocument(documentPath('run-script.yaml'));
    const account = singleInstanceAccount();
    const ids = Array.from({ length: 51 }, (_, n) => `i-${n.toString(16).padStart(17, '0')}`);

    // Act
    const result = await simulate(document, { InstanceIds: ids, Commands: ['true'] }, { account });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.failureMessage).toBe('Input InstanceIds has 51 instances; aws:runCommand takes at most 50');
    expect(account.calls.calls({ operation: 'SendCommand' })).toHaveLength(0);
  });

  it('updates the Windows driver, reboots, and the collector then reports the new version', async () => {
    // Prepare
    const document = await loadDocument(documentPath('update-windows-driver.yaml'));
    const account = singleInstanceAccount({ guest: WINDOWS_2012_R2, instance: { Platform: 'windows' as never, EnaSupport: true } });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID, DriverVersion: '2.6.0' }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(account.guest(INSTANCE_ID).customInventory('Custom:EnaDriver')?.content[0]).toMatchObject({ DriverVersion: '2.6.0', OsVersion: '6.3.9600', DriverVersionSource: 'windows-adapter' });
  });

  it('fails at the install when the latest driver is too new for Windows Server 2012 R2', async () => {
    // Prepare
    const document = await loadDocument(documentPath('update-windows-driver.yaml'));
    const account = singleInstanceAccount({ guest: WINDOWS_2012_R2, instance: { Platform: 'windows' as never, EnaSupport: true } });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace.map((s) => s.stepName)).toEqual(['installDriver']);
    expect(result.failureMessage).toMatch(/2.11.0 does not support Windows Server 2012 R2/);
  });
});

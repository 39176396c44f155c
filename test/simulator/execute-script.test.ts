import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AccountModel,
  Faults,
  ScriptError,
  UnsupportedActionError,
  UnsupportedScriptError,
  loadDocument,
  parseDocument,
  registerScriptModel,
  registeredScriptModels,
  scriptMarkers,
  simulate,
  unregisterScriptModel,
  type ScriptModel,
} from '../../src/simulator/index.js';
import { INSTANCE_ID, START, documentPath, singleInstanceAccount } from './fixtures.js';

const STAMP = (time: Date): string => `${time.toISOString().slice(0, 19)}Z`;

/** The model of test-lock-times: the simulated time now, and LifetimeHours before it. */
const lockTimes: ScriptModel = (payload, context) => {
  const before = new Date(context.now.getTime() - Number(payload['LifetimeHours']) * 3600_000);
  return { Now: STAMP(context.now), StaleBefore: STAMP(before) };
};

/** The model of test-exemption: refuses when there is a tag value. */
const exemption: ScriptModel = (payload) => {
  const values = payload['TagValues'] as string[];
  if (values.length > 0) throw new ScriptError(`Refused - exempt: ${values[0]}`);
  return { Note: `no exemption tag since ${String(payload['Since'])}` };
};

afterEach(() => {
  unregisterScriptModel('test-lock-times');
  unregisterScriptModel('test-exemption');
});

describe('aws:executeScript refusals before the first step', () => {
  it('refuses a script without a marker, in a plain sentence, before any step runs or registers', async () => {
    // Prepare
    const document = await loadDocument(documentPath('execute-script-unmarked.yaml'));
    const account = new AccountModel({ startTime: START });

    // Act
    const running = simulate(document, {}, { account });

    // Assess
    await expect(running).rejects.toThrow(UnsupportedScriptError);
    await expect(running).rejects.toThrow(UnsupportedActionError);
    await expect(running).rejects.toThrow(
      'aws:executeScript step runPython runs a script the simulator does not model; only scripts marked `# ena-guard:script <name>` with a registered model run (its Script has no marker line)',
    );
    expect(account.clock.now()).toEqual(START);
    expect(account.call('ssm', 'DescribeAutomationExecutions', {})).toMatchObject({ AutomationExecutionMetadataList: [] });
  });

  it('refuses a marked script whose model is not registered, naming the marker', async () => {
    // Prepare
    const document = await loadDocument(documentPath('execute-script.yaml'));

    // Act
    const running = simulate(document, {}, { account: new AccountModel() });

    // Assess
    await expect(running).rejects.toThrow('aws:executeScript step readTimes runs a script the simulator does not model');
    await expect(running).rejects.toThrow('(it is marked test-lock-times, and no model is registered under that name)');
  });

  it('refuses a script with two markers', () => {
    // Prepare
    const document = parseDocument('two', `schemaVersion: '0.3'
mainSteps:
  - name: both
    action: aws:executeScript
    inputs: { Runtime: python3.11, Handler: handler, Script: "# ena-guard:script test-lock-times\\n# ena-guard:script test-exemption\\n" }
`);
    registerScriptModel('test-lock-times', lockTimes);
    registerScriptModel('test-exemption', exemption);

    // Act
    const running = simulate(document, {}, { account: new AccountModel() });

    // Assess
    return expect(running).rejects.toThrow('(its Script has 2 marker lines (test-lock-times, test-exemption))');
  });
});

describe('aws:executeScript with registered models', () => {
  it('runs the models on the substituted payload, and selects the declared outputs from $.Payload', async () => {
    // Prepare
    registerScriptModel('test-lock-times', lockTimes);
    registerScriptModel('test-exemption', exemption);
    const document = await loadDocument(documentPath('execute-script.yaml'));
    const account = new AccountModel({ startTime: START });

    // Act
    const result = await simulate(document, {}, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs).toEqual({
      'readTimes.Now': '2026-03-02T09:00:00Z',
      'readTimes.StaleBefore': '2026-03-01T09:00:00Z',
      'checkExemption.Note': 'no exemption tag since 2026-03-02T09:00:00Z',
    });
    expect(result.trace[1]?.inputs['InputPayload']).toEqual({ TagValues: [], Since: '2026-03-02T09:00:00Z' });
    expect(registeredScriptModels()).toEqual(expect.arrayContaining(['test-exemption', 'test-lock-times']));
  });

  it('fails the step with the ScriptError’s message, after maxAttempts, as a raised exception does', async () => {
    // Prepare
    const model = vi.fn(exemption);
    registerScriptModel('test-lock-times', lockTimes);
    registerScriptModel('test-exemption', model);
    const document = await loadDocument(documentPath('execute-script.yaml'));

    // Act
    const result = await simulate(document, { TagValues: ['legacy driver until=2027-01-01'] }, { account: new AccountModel({ startTime: START }) });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[1]).toMatchObject({ stepName: 'checkExemption', status: 'Failed', attempts: 2, failureMessage: 'Refused - exempt: legacy driver until=2027-01-01' });
    expect(result.failureMessage).toBe('Step checkExemption failed: Refused - exempt: legacy driver until=2027-01-01');
    expect(model).toHaveBeenCalledTimes(2);
  });

  it('gives a model a copy of the payload, through JSON', async () => {
    // Prepare
    let seen: Record<string, unknown> | undefined;
    registerScriptModel('test-lock-times', (payload, context) => {
      seen = payload;
      payload['LifetimeHours'] = 'changed';
      return lockTimes({ LifetimeHours: 24 }, context);
    });
    registerScriptModel('test-exemption', exemption);
    const document = await loadDocument(documentPath('execute-script.yaml'));

    // Act
    const result = await simulate(document, {}, { account: new AccountModel({ startTime: START }) });

    // Assess
    expect(seen).toEqual({ LifetimeHours: 'changed' });
    expect(result.trace[0]?.inputs['InputPayload']).toEqual({ LifetimeHours: 24 });
  });

  it('propagates an error that is not a ScriptError: a bug in the model, not a step failure', async () => {
    // Prepare
    registerScriptModel('test-lock-times', () => {
      throw new TypeError('model bug');
    });
    registerScriptModel('test-exemption', exemption);
    const document = await loadDocument(documentPath('execute-script.yaml'));

    // Act
    const running = simulate(document, {}, { account: new AccountModel() });

    // Assess
    await expect(running).rejects.toThrow(TypeError);
  });

  it('takes a run’s own scriptModels before the registry', async () => {
    // Prepare
    registerScriptModel('test-lock-times', () => ({ Now: 'registry', StaleBefore: 'registry' }));
    const document = await loadDocument(documentPath('execute-script.yaml'));

    // Act
    const result = await simulate(document, {}, { account: new AccountModel({ startTime: START }), scriptModels: { 'test-lock-times': lockTimes, 'test-exemption': exemption } });

    // Assess
    expect(result.outputs['readTimes.Now']).toBe('2026-03-02T09:00:00Z');
  });

  it('lets a model call AWS through the account: logged with its step, and an AWS error fails the step', async () => {
    // Prepare
    const describeState: ScriptModel = (payload, context) => {
      const output = context.callAws('ec2', 'DescribeInstances', { InstanceIds: [payload['InstanceId']] }) as { Reservations: { Instances: { State: { Name: string } }[] }[] };
      return { Note: output.Reservations[0]?.Instances[0]?.State.Name ?? 'none' };
    };
    const document = parseDocument('state', `schemaVersion: '0.3'
mainSteps:
  - name: readState
    action: aws:executeScript
    inputs:
      Runtime: python3.11
      Handler: handler
      InputPayload: { InstanceId: ${INSTANCE_ID} }
      Script: "# ena-guard:script test-state"
    outputs: [{ Name: State, Selector: $.Payload.Note, Type: String }]
`);
    const healthy = singleInstanceAccount();
    const faulty = singleInstanceAccount({ faults: [Faults.failAlways('ec2', 'DescribeInstances', 'UnauthorizedOperation')] });

    // Act
    const ok = await simulate(document, {}, { account: healthy, scriptModels: { 'test-state': describeState } });
    const denied = await simulate(document, {}, { account: faulty, scriptModels: { 'test-state': describeState } });

    // Assess
    expect(ok.trace[0]?.outputs).toEqual({ State: 'running' });
    expect(healthy.calls.calls()[0]?.caller).toEqual({ executionId: ok.executionId, documentName: 'state', stepName: 'readState' });
    expect(denied.trace[0]?.failureMessage).toMatch(/^An error occurred \(UnauthorizedOperation\) when calling the DescribeInstances operation: /);
  });

  it('fails the step on a runtime aws:executeScript does not have', async () => {
    // Prepare
    const document = parseDocument('old', `schemaVersion: '0.3'
mainSteps:
  - name: old
    action: aws:executeScript
    inputs: { Runtime: python2.7, Handler: handler, Script: "# ena-guard:script test-lock-times" }
`);

    // Act
    const result = await simulate(document, {}, { account: new AccountModel(), scriptModels: { 'test-lock-times': lockTimes } });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.failureMessage).toMatch(/^Input Runtime python2\.7 is not a runtime of aws:executeScript/);
  });
});

describe('the script model registry', () => {
  it('finds marker lines, only whole ones', () => {
    // Act & Assess
    expect(scriptMarkers('# ena-guard:script check-exemption\nimport re\n')).toEqual(['check-exemption']);
    expect(scriptMarkers('import re\n  # ena-guard:script indented\nx = "# ena-guard:script inline"')).toEqual([]);
    expect(scriptMarkers('def handler(e, c): pass')).toEqual([]);
  });

  it('refuses a different model under a taken name, accepts the same one again, and refuses odd names', () => {
    // Prepare
    registerScriptModel('test-lock-times', lockTimes);

    // Act & Assess
    expect(() => registerScriptModel('test-lock-times', lockTimes)).not.toThrow();
    expect(() => registerScriptModel('test-lock-times', exemption)).toThrow('A different model of script test-lock-times is already registered');
    expect(() => registerScriptModel('has space', lockTimes)).toThrow(/use letters, digits/);
    expect(unregisterScriptModel('test-lock-times')).toBe(true);
    expect(unregisterScriptModel('test-lock-times')).toBe(false);
  });
});

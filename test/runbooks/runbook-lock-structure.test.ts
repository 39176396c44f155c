/**
 * The per-instance lock of EnaGuard-EnableEnaSupport and EnaGuard-UpdateEnaDriver, as the
 * documents write it: taken first and atomically, released on every way out once held
 * (cancellation included), with a lifetime longer than any run. Its behaviour is in
 * runbook-lock.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runbookPath } from '../support/runbook-documents.js';

const LOCKING_RUNBOOKS = ['EnaGuard-EnableEnaSupport', 'EnaGuard-UpdateEnaDriver'] as const;

interface Step {
  readonly name: string;
  readonly action: string;
  readonly inputs: Record<string, unknown>;
  readonly onFailure?: string;
  readonly onCancel?: string;
  readonly nextStep?: string;
  readonly isEnd?: boolean;
  readonly timeoutSeconds?: number;
  readonly maxAttempts?: number;
}

function stepsOf(name: string): Step[] {
  return (parse(readFileSync(runbookPath(name), 'utf8')) as { mainSteps: Step[] }).mainSteps;
}

/** Steps that run before this execution holds the lock, or on the way to being refused it. */
const BEFORE_LOCK = new Set(['readLockTimes', 'acquireLock', 'readLockHolder', 'readLockHolderStatus', 'checkLockHolderEnded', 'takeOverStaleLock', 'refuseLocked']);

/** Where control can go from a step: success, each branch choice, failure, cancellation. 'ABORT' and 'END' end the run there. */
function successors(steps: readonly Step[], index: number): string[] {
  const step = steps[index] as Step;
  const onward = step.isEnd === true ? 'END' : (step.nextStep ?? steps[index + 1]?.name ?? 'END');
  const targets: string[] = [];
  if (step.action === 'aws:branch') {
    const inputs = step.inputs as { Choices: { NextStep: string }[]; Default?: string };
    targets.push(...inputs.Choices.map((choice) => choice.NextStep), inputs.Default ?? onward);
  } else targets.push(onward);
  const onFailure = step.onFailure ?? 'Abort';
  targets.push(onFailure === 'Abort' ? 'ABORT' : onFailure === 'Continue' ? onward : onFailure.replace(/^step:/, ''));
  if (step.onCancel !== undefined) targets.push(step.onCancel === 'Abort' ? 'ABORT' : step.onCancel.replace(/^step:/, ''));
  return targets;
}

/** An ISO 8601 duration of seconds, minutes or hours (PT1S, PT3M, PT2H). */
function sleepSeconds(duration: string): number {
  const match = /^PT(\d+)([SMH])$/.exec(duration);
  if (match === null) throw new Error(`Duration ${duration} is not PT<n>S|M|H`);
  return Number(match[1]) * { S: 1, M: 60, H: 3600 }[match[2] as 'S' | 'M' | 'H'];
}

describe.each(LOCKING_RUNBOOKS)('%s, as written', (name) => {
  const steps = stepsOf(name);

  it('takes the lock first, atomically, for this execution', () => {
    expect(steps.slice(0, 2).map((step) => step.name)).toEqual(['readLockTimes', 'acquireLock']);
    expect(steps[1]?.inputs).toMatchObject({
      Service: 'dynamodb',
      Api: 'PutItem',
      TableName: '{{ LockTableName }}',
      Item: { LockId: { S: '{{ InstanceId }}' }, Holder: { S: '{{ automation:EXECUTION_ID }}' } },
      ConditionExpression: 'attribute_not_exists(LockId) OR AcquiredAt < :staleBefore',
    });
    const takeOver = steps.find((step) => step.name === 'takeOverStaleLock');
    expect(takeOver?.inputs).toMatchObject({ Api: 'PutItem', ConditionExpression: 'Holder = :staleHolder', ExpressionAttributeValues: { ':staleHolder': { S: '{{ readLockHolder.Holder }}' } } });
    const release = steps.find((step) => step.name === 'releaseLock');
    expect(release?.inputs).toMatchObject({ Api: 'DeleteItem', ConditionExpression: 'Holder = :me', ExpressionAttributeValues: { ':me': { S: '{{ automation:EXECUTION_ID }}' } } });
  });

  it('releases the lock on every way out once it holds it: every success, failure and cancellation path ends in releaseLock', () => {
    const indexOf = new Map(steps.map((step, index) => [step.name, index]));
    const held = steps.filter((step) => !BEFORE_LOCK.has(step.name) && step.name !== 'releaseLock');
    expect(held.length).toBeGreaterThan(20);
    for (const step of held) expect(step.onCancel, `${step.name} releases the lock when cancelled`).toBe('step:releaseLock');
    // Every path from the steps that follow the lock reaches releaseLock, and nothing ends elsewhere.
    const endings = new Set<string>();
    const seen = new Set<string>();
    // Once the lock is held (after acquireLock or takeOverStaleLock, both of which go on to readExemptionTag).
    const pending = ['readExemptionTag'];
    while (pending.length > 0) {
      const current = pending.pop() as string;
      if (seen.has(current)) continue;
      seen.add(current);
      if (current === 'releaseLock' || current === 'refuseLocked' || current === 'ABORT' || current === 'END') {
        endings.add(current);
        continue;
      }
      const index = indexOf.get(current);
      expect(index, `${current} names a step`).toBeDefined();
      pending.push(...successors(steps, index as number));
    }
    expect([...endings]).toEqual(['releaseLock']);
    expect(held.filter((step) => step.name !== 'readExemptionTag' && !seen.has(step.name)).map((step) => step.name), 'steps after the lock that no path reaches').toEqual([]);
  });

  it('ends only in releaseLock or refuseLocked', () => {
    expect(steps.filter((step) => step.isEnd === true).map((step) => step.name).sort()).toEqual(['refuseLocked', 'releaseLock']);
  });

  it('gives a lock a lifetime longer than the longest run can take', () => {
    const lifetimeHours = (steps[0]?.inputs as { InputPayload: { LifetimeHours: number } }).InputPayload.LifetimeHours;
    // Upper bound of one step's time: its timeout (or the action's documented limit) times its attempts.
    const DOCUMENTED_LIMIT_SECONDS: Record<string, number> = {
      'aws:executeAwsApi': 25,
      'aws:assertAwsResourceProperty': 25,
      'aws:branch': 1,
      'aws:executeScript': 600,
      'aws:waitForAwsResourceProperty': 3600,
      'aws:changeInstanceState': 3600,
      'aws:runCommand': 3600,
    };
    const seconds = steps.reduce((sum, step) => {
      const duration = step.action === 'aws:sleep' ? sleepSeconds(String(step.inputs['Duration'])) : (step.timeoutSeconds ?? DOCUMENTED_LIMIT_SECONDS[step.action]);
      expect(duration, `${step.name} (${step.action}) has a bounded duration`).toBeGreaterThan(0);
      return sum + Number(duration) * (step.maxAttempts ?? 1);
    }, 0);
    expect(seconds).toBeLessThan(lifetimeHours * 3600);
  });
});

describe.each(['EnaGuard-EnableEnaSupport', 'EnaGuard-UpdateEnaDriver'] as const)('%s checks for its driver-evidence marker document', (name) => {
  it('sends the stack\'s own documents only', () => {
    const sent = stepsOf(name).filter((step) => step.action === 'aws:runCommand').map((step) => String(step.inputs['DocumentName']));
    for (const document of sent) expect(document).toMatch(/^\{\{ \w+DocumentName \}\}$|^AWS-ConfigureAWSPackage$/);
  });
});

it('EnaGuard-CheckEnaDriverEvidence carries the driver-evidence marker in both scripts, as the simulator\'s model of it assumes', () => {
  const document = parse(readFileSync(runbookPath('EnaGuard-CheckEnaDriverEvidence'), 'utf8')) as { parameters?: object; mainSteps: { action: string; inputs: { runCommand: string[] } }[] };
  expect(document.parameters ?? {}).toEqual({});
  expect(document.mainSteps.map((step) => step.action)).toEqual(['aws:runShellScript', 'aws:runPowerShellScript']);
  for (const step of document.mainSteps) expect(step.inputs.runCommand.join('\n')).toContain('# ena-guard:driver-evidence');
});


/**
 * The pure control-flow decision of the interpreter, one row per situation: where control goes
 * after a step, and how the automation ends.
 */
import { describe, expect, it } from 'vitest';
import {
  RUN_START,
  firstStep,
  indexSteps,
  nextStep,
  type ExecutionStatus,
  type NextStep,
  type RunState,
  type StepDefinition,
  type StepIndex,
  type StepOutcome,
} from '../../src/simulator/index.js';

const plain = (name: string): StepDefinition => ({ name, action: 'aws:sleep', inputs: { Duration: 'PT1S' } });

/** Four plain steps; a row changes one of them. */
const STEPS: readonly StepDefinition[] = ['s1', 's2', 's3', 's4'].map(plain);

const SUCCESS: StepOutcome = { status: 'Success' };
const FAILURE: StepOutcome = { status: 'Failed', message: 'boom' };
const TIMEOUT: StepOutcome = { status: 'TimedOut', message: 'too slow' };
const CANCELLED: StepOutcome = { status: 'Cancelled' };

/** A run in which a critical step already failed and the automation went on. */
const AFTER_CRITICAL_FAILURE: RunState = { cancelled: false, criticalFailure: { status: 'Failed', message: 'Step s1 failed: earlier' } };
/** A run in which a step was already cancelled. */
const AFTER_CANCEL: RunState = { cancelled: true };

/** A one-step document that ends at once: how a run would end if nothing else failed. */
const ENDING_HERE = indexSteps([{ ...plain('last'), isEnd: true }]);

function where(decision: NextStep, index: StepIndex): string {
  return decision.kind === 'goto' ? (index.steps[decision.index]?.name ?? `index ${decision.index}`) : 'end';
}

/** The final status now (an end), or the one the run would end with if every later step succeeded. */
function ending(decision: NextStep): { status: ExecutionStatus; failureMessage: string | undefined } {
  const end = decision.kind === 'end' ? decision : nextStep(ENDING_HERE, 0, SUCCESS, decision.run);
  if (end.kind !== 'end') throw new Error('the ending document did not end');
  return { status: end.status, failureMessage: end.failureMessage };
}

interface Row {
  /** The step that just ran (its name picks which of s1…s4 it replaces), and how the run stood. */
  readonly prepare: string;
  readonly step: Partial<StepDefinition> & { readonly name: string };
  readonly before?: RunState;
  /** How the step ended. */
  readonly act: string;
  readonly outcome: StepOutcome;
  /** Where control goes (a step name, or `end`) and how the automation ends. */
  readonly assess: string;
  readonly next: string;
  readonly status: ExecutionStatus;
  readonly failureMessage?: string;
}

const rows: readonly Row[] = [
  // After a success.
  { prepare: 'a step without isEnd or nextStep', step: { name: 's2' }, act: 'succeeds', outcome: SUCCESS, assess: 'control goes to the following step', next: 's3', status: 'Success' },
  { prepare: 'a step with nextStep s4', step: { name: 's1', nextStep: 's4' }, act: 'succeeds', outcome: SUCCESS, assess: 'control jumps to s4', next: 's4', status: 'Success' },
  { prepare: 'a step with isEnd', step: { name: 's2', isEnd: true, nextStep: 's4' }, act: 'succeeds', outcome: SUCCESS, assess: 'the automation ends Success, ignoring nextStep', next: 'end', status: 'Success' },
  {
    prepare: 'a branch step that also has isEnd',
    step: { name: 's1', action: 'aws:branch', isEnd: true },
    act: 'succeeds choosing s3',
    outcome: { status: 'Success', branchTarget: 's3' },
    assess: "control follows the branch's choice",
    next: 's3',
    status: 'Success',
  },
  {
    prepare: 'a branch step',
    step: { name: 's1', action: 'aws:branch' },
    act: 'succeeds choosing a step that does not exist',
    outcome: { status: 'Success', branchTarget: 'nowhere' },
    assess: 'the automation ends Success',
    next: 'end',
    status: 'Success',
  },
  { prepare: 'the last step', step: { name: 's4' }, act: 'succeeds', outcome: SUCCESS, assess: 'the automation ends Success', next: 'end', status: 'Success' },
  {
    prepare: 'the last step, after a critical step failed and the run went on',
    step: { name: 's4' },
    before: AFTER_CRITICAL_FAILURE,
    act: 'succeeds',
    outcome: SUCCESS,
    assess: 'the automation ends Failed with the earlier failure',
    next: 'end',
    status: 'Failed',
    failureMessage: 'Step s1 failed: earlier',
  },
  // After a failure.
  { prepare: 'a step without onFailure', step: { name: 's2' }, act: 'fails', outcome: FAILURE, assess: 'the automation aborts Failed', next: 'end', status: 'Failed', failureMessage: 'Step s2 failed: boom' },
  {
    prepare: 'a non-critical step with onFailure Abort',
    step: { name: 's2', onFailure: 'Abort', isCritical: false },
    act: 'fails',
    outcome: FAILURE,
    assess: 'the automation still aborts Failed',
    next: 'end',
    status: 'Failed',
    failureMessage: 'Step s2 failed: boom',
  },
  {
    prepare: 'a non-critical step with onFailure Continue',
    step: { name: 's2', onFailure: 'Continue', isCritical: false },
    act: 'fails',
    outcome: FAILURE,
    assess: 'control goes to the following step and the automation can still end Success',
    next: 's3',
    status: 'Success',
  },
  {
    prepare: 'a critical step with onFailure Continue',
    step: { name: 's2', onFailure: 'Continue' },
    act: 'fails',
    outcome: FAILURE,
    assess: 'control goes to the following step but the automation will end Failed',
    next: 's3',
    status: 'Failed',
    failureMessage: 'Step s2 failed: boom',
  },
  {
    prepare: 'the last step, critical with onFailure Continue',
    step: { name: 's4', onFailure: 'Continue', isCritical: true },
    act: 'fails',
    outcome: FAILURE,
    assess: 'the automation ends Failed',
    next: 'end',
    status: 'Failed',
    failureMessage: 'Step s4 failed: boom',
  },
  {
    prepare: 'a non-critical step with onFailure Continue and nextStep s4',
    step: { name: 's1', onFailure: 'Continue', isCritical: false, nextStep: 's4' },
    act: 'fails',
    outcome: FAILURE,
    assess: 'control goes to nextStep as after a success',
    next: 's4',
    status: 'Success',
  },
  {
    prepare: 'a step with onFailure Continue and isEnd',
    step: { name: 's1', onFailure: 'Continue', isCritical: false, isEnd: true },
    act: 'fails',
    outcome: FAILURE,
    assess: 'the automation ends, keeping Success for a non-critical step',
    next: 'end',
    status: 'Success',
  },
  {
    prepare: 'a critical step with onFailure step:s4',
    step: { name: 's1', onFailure: 'step:s4' },
    act: 'fails',
    outcome: FAILURE,
    assess: 'control jumps to s4 and the automation will end Failed',
    next: 's4',
    status: 'Failed',
    failureMessage: 'Step s1 failed: boom',
  },
  {
    prepare: 'a non-critical step with onFailure step:s4',
    step: { name: 's1', onFailure: 'step:s4', isCritical: false },
    act: 'fails',
    outcome: FAILURE,
    assess: 'control jumps to s4 and the automation can still end Success',
    next: 's4',
    status: 'Success',
  },
  {
    prepare: 'a critical step with onFailure Continue, after an earlier critical failure',
    step: { name: 's2', onFailure: 'Continue' },
    before: AFTER_CRITICAL_FAILURE,
    act: 'fails',
    outcome: FAILURE,
    assess: 'the first critical failure is the one the automation will end with',
    next: 's3',
    status: 'Failed',
    failureMessage: 'Step s1 failed: earlier',
  },
  // Timeouts.
  {
    prepare: 'a critical step without onFailure',
    step: { name: 's2' },
    act: 'times out',
    outcome: TIMEOUT,
    assess: 'the automation aborts TimedOut',
    next: 'end',
    status: 'TimedOut',
    failureMessage: 'Step s2 timed out: too slow',
  },
  {
    prepare: 'a critical step with onFailure Continue',
    step: { name: 's2', onFailure: 'Continue' },
    act: 'times out',
    outcome: TIMEOUT,
    assess: 'control goes to the following step but the automation will end TimedOut',
    next: 's3',
    status: 'TimedOut',
    failureMessage: 'Step s2 timed out: too slow',
  },
  {
    prepare: 'a non-critical step with onFailure Continue',
    step: { name: 's2', onFailure: 'Continue', isCritical: false },
    act: 'times out',
    outcome: TIMEOUT,
    assess: 'control goes to the following step and the automation can still end Success',
    next: 's3',
    status: 'Success',
  },
  {
    prepare: 'a step without onFailure, after an earlier critical failure',
    step: { name: 's3' },
    before: AFTER_CRITICAL_FAILURE,
    act: 'times out',
    outcome: TIMEOUT,
    assess: 'the automation aborts with the aborting step, TimedOut',
    next: 'end',
    status: 'TimedOut',
    failureMessage: 'Step s3 timed out: too slow',
  },
  // Cancellation.
  {
    prepare: 'a step with onCancel step:s4',
    step: { name: 's1', onCancel: 'step:s4' },
    act: 'is cancelled',
    outcome: CANCELLED,
    assess: 'control goes to s4 and the automation will end Cancelled',
    next: 's4',
    status: 'Cancelled',
    failureMessage: 'The automation was cancelled',
  },
  {
    prepare: 'a step without onCancel',
    step: { name: 's1' },
    act: 'is cancelled',
    outcome: CANCELLED,
    assess: 'the automation ends Cancelled',
    next: 'end',
    status: 'Cancelled',
    failureMessage: 'The automation was cancelled',
  },
  {
    prepare: 'a step with onCancel Abort',
    step: { name: 's2', onCancel: 'Abort' },
    act: 'is cancelled',
    outcome: CANCELLED,
    assess: 'the automation ends Cancelled',
    next: 'end',
    status: 'Cancelled',
    failureMessage: 'The automation was cancelled',
  },
  {
    prepare: 'the onCancel step of a cancelled run',
    step: { name: 's4' },
    before: AFTER_CANCEL,
    act: 'fails',
    outcome: FAILURE,
    assess: 'the automation still ends Cancelled',
    next: 'end',
    status: 'Cancelled',
    failureMessage: 'The automation was cancelled',
  },
];

describe('next step', () => {
  it.each(rows)('when $prepare $act, $assess', ({ step, before, outcome, next, status, failureMessage }) => {
    // Prepare
    const index = indexSteps(STEPS.map((s) => (s.name === step.name ? { ...s, ...step } : s)));
    const current = index.indexOf.get(step.name) ?? -1;

    // Act
    const decision = nextStep(index, current, outcome, before);

    // Assess
    expect(where(decision, index)).toBe(next);
    expect(ending(decision)).toEqual({ status, failureMessage });
  });

  it('starts a run at the first step, with nothing gathered yet', () => {
    // Prepare
    const index = indexSteps(STEPS);

    // Act
    const start = firstStep(index);

    // Assess
    expect(start).toEqual({ kind: 'goto', index: 0, run: RUN_START });
  });

  it('ends at once, Success, a document without steps', () => {
    // Act
    const start = firstStep(indexSteps([]));

    // Assess
    expect(start).toEqual({ kind: 'end', status: 'Success', failureMessage: undefined, run: RUN_START });
  });

  it('refuses a current step that is not in the document', () => {
    // Prepare
    const index = indexSteps(STEPS);

    // Act
    const deciding = (): NextStep => nextStep(index, 4, SUCCESS);

    // Assess
    expect(deciding).toThrow(RangeError);
  });

  it('leaves the run state it was given unchanged', () => {
    // Prepare
    const index = indexSteps(STEPS.map((s) => ({ ...s, onFailure: 'Continue' })));
    const before: RunState = { cancelled: false };

    // Act
    const decision = nextStep(index, 0, FAILURE, before);

    // Assess
    expect(before).toEqual({ cancelled: false });
    expect(decision.run).toEqual({ cancelled: false, criticalFailure: { status: 'Failed', message: 'Step s1 failed: boom' } });
  });
});

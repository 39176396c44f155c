/**
 * Where control goes after a step, and how the automation ends: the pure half of the
 * interpreter (no clock, no account, no I/O). The semantics are those of AWS ("Properties shared
 * by all actions", the StepExecution API reference), as described in interpreter.ts:
 * - after a success: the branch's choice, else `isEnd` ends, else `nextStep`, else the following
 *   step (past the last step the automation ends);
 * - after a failure: `onFailure` `Abort` (default) ends the automation, `Continue` goes on as a
 *   success would (branch choice aside), `step:X` jumps to X;
 * - `isCritical` (default true): a failed critical step makes the automation end `Failed` (or
 *   `TimedOut` when the step timed out) even when `onFailure` let it go on;
 * - a cancelled step goes to its `onCancel: step:X`, else ends the automation; once cancelled,
 *   the automation ends `Cancelled` whatever runs after.
 * A step name that names no step ends the automation.
 */
import { stepReference, type StepDefinition } from './document.js';
import type { ExecutionStatus } from './trace.js';

/** A document's steps as control flow sees them: in order, and by name. */
export interface StepIndex {
  readonly steps: readonly StepDefinition[];
  readonly indexOf: ReadonlyMap<string, number>;
}

/** Indexes the steps of a document by name. */
export function indexSteps(steps: readonly StepDefinition[]): StepIndex {
  return { steps, indexOf: new Map(steps.map((step, index) => [step.name, index])) };
}

/** How one run of a step ended (after all its attempts). */
export type StepOutcome =
  | { readonly status: 'Success'; /** The step an `aws:branch` chose. */ readonly branchTarget?: string }
  | { readonly status: 'Failed' | 'TimedOut'; /** Why the last attempt failed. */ readonly message: string }
  | { readonly status: 'Cancelled' };

/** A failed step, as it would end the automation. */
export interface RunFailure {
  readonly status: 'Failed' | 'TimedOut';
  /** `Step <name> failed: …` or `Step <name> timed out: …`. */
  readonly message: string;
}

/** What a run has gathered so far that decides how it ends. */
export interface RunState {
  /** A step was cancelled: the automation ends `Cancelled`. */
  readonly cancelled: boolean;
  /** The first critical step that failed. */
  readonly criticalFailure?: RunFailure;
}

/** The state of a run before its first step. */
export const RUN_START: RunState = { cancelled: false };

/** Where control goes: to a step (by index), or to the end of the automation with its final status. */
export type NextStep =
  | { readonly kind: 'goto'; readonly index: number; readonly run: RunState }
  | { readonly kind: 'end'; readonly status: ExecutionStatus; readonly failureMessage: string | undefined; readonly run: RunState };

function end(run: RunState, aborted?: RunFailure): NextStep {
  if (run.cancelled) return { kind: 'end', status: 'Cancelled', failureMessage: 'The automation was cancelled', run };
  const ending = aborted ?? run.criticalFailure;
  return { kind: 'end', status: ending?.status ?? 'Success', failureMessage: ending?.message, run };
}

function goToIndex(index: StepIndex, target: number, run: RunState): NextStep {
  return target < index.steps.length ? { kind: 'goto', index: target, run } : end(run);
}

function goToName(index: StepIndex, name: string | undefined, run: RunState): NextStep {
  const target = name === undefined ? undefined : index.indexOf.get(name);
  return target === undefined ? end(run) : { kind: 'goto', index: target, run };
}

/** Where control goes when a step is done with, without a branch choice or a jump. */
function onward(index: StepIndex, current: number, step: StepDefinition, run: RunState): NextStep {
  if (step.isEnd === true) return end(run);
  if (step.nextStep !== undefined) return goToName(index, step.nextStep, run);
  return goToIndex(index, current + 1, run);
}

/** Where a run starts: its first step (a document without steps ends at once, `Success`). */
export function firstStep(index: StepIndex): NextStep {
  return goToIndex(index, 0, RUN_START);
}

/**
 * Decides where control goes after step `current` ended with `outcome`, in a run that had
 * gathered `run` so far; the answer carries the run's new state.
 */
export function nextStep(index: StepIndex, current: number, outcome: StepOutcome, run: RunState = RUN_START): NextStep {
  const step = index.steps[current];
  if (step === undefined) throw new RangeError(`No step at index ${current} (the document has ${index.steps.length})`);
  if (outcome.status === 'Success') {
    return outcome.branchTarget === undefined ? onward(index, current, step, run) : goToName(index, outcome.branchTarget, run);
  }
  if (outcome.status === 'Cancelled') return goToName(index, stepReference(step.onCancel), { ...run, cancelled: true });
  const failure: RunFailure = { status: outcome.status, message: `Step ${step.name} ${outcome.status === 'TimedOut' ? 'timed out' : 'failed'}: ${outcome.message}` };
  const after: RunState = step.isCritical === false || run.criticalFailure !== undefined ? run : { ...run, criticalFailure: failure };
  const onFailure = step.onFailure ?? 'Abort';
  // Unconfirmed: Abort ends the automation Failed even for a non-critical step.
  if (onFailure === 'Abort') return end(after, failure);
  // Unconfirmed: Continue honours isEnd and nextStep as a success would.
  if (onFailure === 'Continue') return onward(index, current, step, after);
  return goToName(index, stepReference(onFailure), after);
}

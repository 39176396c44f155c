/**
 * The Automation interpreter: runs a checked document step by step against an account model, in
 * simulated time, and returns the final status, the document outputs and a step trace.
 * {@link startExecution} gives an execution that a caller advances one step at a time (so that
 * several executions can share an account and interleave, interleave.ts); {@link simulate} runs
 * one to its end. Every execution is registered in the account's SSM model as it starts, steps
 * and ends, so a runbook can see the others with DescribeAutomationExecutions.
 *
 * Control-flow semantics (AWS "Properties shared by all actions", "Handling timeouts in runbooks",
 * the StepExecution API reference):
 * - after a success: the branch's choice, else `isEnd` ends, else `nextStep`, else the next step;
 * - `maxAttempts` (default 1) retries a failed step; `timeoutSeconds` bounds each attempt;
 * - after a failure: `onFailure` `Abort` (default) stops the automation, `Continue` goes on,
 *   `step:X` jumps to X;
 * - `isCritical` (default true): a failed critical step makes the automation end `Failed` (or
 *   `TimedOut` when the step timed out) even when `onFailure` let it go on; a failed non-critical
 *   step does not change the final status;
 * - a cancellation during a step ends the automation `Cancelled`; with `onCancel: step:X`, X (and
 *   whatever follows it) runs first.
 *
 * The decisions are the pure {@link nextStep} (next-step.ts); this file runs the steps and loops.
 */
// The models of ena-guard's own runbook scripts register themselves wherever runbooks run.
import './project-scripts.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountModel } from './account-model.js';
import { SUPPORTED_ACTIONS, type ActionContext, type ActionOutcome, type AutomationAction, type ChildAutomationRun } from './actions/index.js';
import type { StepExecution } from '@aws-sdk/client-ssm';
import type { CallCaller } from './call-log.js';
import { formatDate, formatDateTime } from './clock.js';
import { isStringType, loadDocument, type AutomationDocument, type StepDefinition } from './document.js';
import {
  DocumentError,
  InvalidInputError,
  ParameterError,
  SimulatorError,
  ChildAutomationFailedError,
  StepFailedError,
  StepTimedOutError,
  UnsupportedActionError,
  UnsupportedOperationError,
  UnsupportedScriptError,
  VariableError,
  isAwsServiceError,
  isThrottlingError,
} from './errors.js';
import { asStringLists, stepExecutions } from './execution-records.js';
import { firstStep, indexSteps, nextStep, type NextStep, type StepIndex, type StepOutcome } from './next-step.js';
import { resolveParameters } from './parameters.js';
import { modelForScript, type ScriptModels } from './scripts.js';
import type { ExecutionStatus, StepTrace } from './trace.js';
import { select, substitute, toOutputType, type VariableScope } from './variables.js';

/** The outcome of a simulation. */
export interface SimulationResult {
  readonly executionId: string;
  readonly documentName: string;
  readonly status: ExecutionStatus;
  /** The document's `outputs`, by `<step>.<output>`. */
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly trace: readonly StepTrace[];
  readonly failureMessage?: string;
  readonly startTime: Date;
  readonly endTime: Date;
}

/** How `aws:approve` steps are decided: one answer for all, per step name, or a function. */
export type ApprovalOption =
  | 'Approve'
  | 'Reject'
  | Readonly<Record<string, 'Approve' | 'Reject'>>
  | ((stepName: string, inputs: Readonly<Record<string, unknown>>) => 'Approve' | 'Reject');

export interface SimulateOptions {
  /** The account to run against. Default: an empty account. */
  readonly account?: AccountModel;
  /** Decisions for `aws:approve` steps. Default: approve. */
  readonly approvals?: ApprovalOption;
  /** Folder where `aws:executeAutomation` finds nested documents (`<name>.yaml|.yml|.json`). */
  readonly documentsDir?: string;
  /** Documents `aws:executeAutomation` can run by name (e.g. imitations of AWS-owned runbooks). */
  readonly knownDocuments?: Readonly<Record<string, AutomationDocument>>;
  /** Simulates a user cancelling the automation while this step runs (its first run). */
  readonly cancelDuringStep?: string;
  /**
   * Injected faults: these steps fail on their first run in each execution (nested ones
   * included), every attempt, before their action runs, so that the run takes the step's
   * failure path (`onFailure`) as it would after a real failure of the action.
   */
  readonly failSteps?: readonly string[];
  /**
   * The account's throttling retry time limit (`/ssm/automation/throttling-retry-time-limit`,
   * 0–3600 s). Default 0: a throttled call fails the attempt. Unconfirmed: AWS does not state
   * the default of the setting.
   */
  readonly throttlingRetrySeconds?: number;
  /** Guard against loops between steps. Default 1000 step runs. */
  readonly maxStepRuns?: number;
  /** Models of `aws:executeScript` scripts for this run, by marker name; they win over the registry (scripts.ts). */
  readonly scriptModels?: ScriptModels;
  /** The execution that started this one; `aws:executeAutomation` sets it for the nested run. */
  readonly parentExecutionId?: string;
}

/**
 * An execution that its caller advances one step at a time. It shares the account (clock,
 * models, call log) with whatever else runs against it.
 */
export interface Execution {
  readonly executionId: string;
  readonly documentName: string;
  /** True once the execution has ended. */
  readonly done: boolean;
  /** The step that {@link Execution.step} will run next; undefined once the execution has ended. */
  readonly nextStepName: string | undefined;
  /** The steps run so far. */
  readonly trace: readonly StepTrace[];
  /** Runs exactly one step (all its attempts) and returns its trace entry; undefined when the execution has already ended. */
  step(): Promise<StepTrace | undefined>;
  /** The outcome; throws a {@link SimulatorError} while the execution has not ended. */
  result(): SimulationResult;
}

/** A poll with no timeout at all gives up after this long (AWS caps automations far below). */
const UNBOUNDED_WAIT_LIMIT_SECONDS = 7 * 24 * 3600;
const MAX_THROTTLING_BACKOFF_SECONDS = 30;

const API_ACTIONS = new Set(['aws:executeAwsApi', 'aws:waitForAwsResourceProperty', 'aws:assertAwsResourceProperty']);

/**
 * Refuses a document that uses an action the simulator does not model, naming it, or an
 * `aws:executeScript` step whose script has no model (in `scriptModels` or the registry); with
 * an account, also a literal `Service`/`Api` pair the account model does not implement.
 */
export function assertActionsSupported(document: AutomationDocument, account?: AccountModel, scriptModels?: ScriptModels): void {
  for (const step of document.content.mainSteps) {
    if (!SUPPORTED_ACTIONS.has(step.action)) throw new UnsupportedActionError(step.action, step.name);
    if (step.action === 'aws:executeScript') {
      const found = modelForScript(step.inputs['Script'], scriptModels);
      if (!('model' in found)) throw new UnsupportedScriptError(step.name, found.reason, found.name);
    }
    const { Service: service, Api: api } = step.inputs;
    if (account !== undefined && API_ACTIONS.has(step.action) && typeof service === 'string' && typeof api === 'string' && !`${service}${api}`.includes('{{')) {
      if (!account.supports(service, api)) throw new UnsupportedOperationError(service, api, step.name);
    }
  }
}

function decide(option: ApprovalOption | undefined, stepName: string, inputs: Readonly<Record<string, unknown>>): 'Approved' | 'Rejected' {
  const answer = option === undefined ? 'Approve' : typeof option === 'function' ? option(stepName, inputs) : typeof option === 'string' ? option : (option[stepName] ?? 'Approve');
  return answer === 'Approve' ? 'Approved' : 'Rejected';
}

/** Errors that fail a step (and go through maxAttempts / onFailure); anything else is a bug or a refusal and propagates. */
function isStepFailure(error: unknown): error is Error {
  return (
    error instanceof StepFailedError ||
    error instanceof StepTimedOutError ||
    error instanceof InvalidInputError ||
    error instanceof VariableError ||
    isAwsServiceError(error)
  );
}

async function findDocument(name: string, options: SimulateOptions): Promise<AutomationDocument> {
  const known = options.knownDocuments?.[name];
  if (known !== undefined) return known;
  if (options.documentsDir !== undefined) {
    const files = await readdir(options.documentsDir).catch(() => [] as string[]);
    const file = ['.yaml', '.yml', '.json'].map((ext) => `${name}${ext}`).find((candidate) => files.includes(candidate));
    if (file !== undefined) return loadDocument(join(options.documentsDir, file));
  }
  throw new StepFailedError(`Document ${name} not found: it is neither in the documents folder nor a registered known document`);
}

/** SSM passes runtime parameters as lists of strings: unwrap one-item lists for scalar parameters. */
function childParameters(document: AutomationDocument, runtime: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(runtime).map(([name, value]) => {
      const type = document.content.parameters[name]?.type;
      const scalar = type !== undefined && (isStringType(type) || type === 'Integer' || type === 'Boolean');
      return [name, scalar && Array.isArray(value) && value.length === 1 ? value[0] : value];
    }),
  );
}

/** What one run of a step produced: its trace entry, less the timing and where control went. */
interface StepRun {
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Record<string, unknown>;
  readonly outcome: StepOutcome;
  readonly failureMessage?: string;
  readonly attempts: number;
  readonly children?: readonly StepTrace[];
}

/** The user cancelled the automation while this step ran: it does nothing. */
function cancelledRun(step: StepDefinition): StepRun {
  return { inputs: step.inputs, outputs: {}, outcome: { status: 'Cancelled' }, failureMessage: 'Cancelled by the user during this step', attempts: 0 };
}

function systemVariables(account: AccountModel, executionId: string): Record<string, string> {
  const now = account.clock.now();
  return {
    'automation:EXECUTION_ID': executionId,
    'global:ACCOUNT_ID': account.accountId,
    'global:REGION': account.region,
    'global:AWS_PARTITION': 'aws',
    'global:DATE': formatDate(now),
    'global:DATE_TIME': formatDateTime(now),
  };
}

/** The execution a step belongs to, as its actions need it. */
interface RunIdentity {
  readonly executionId: string;
  readonly documentName: string;
}

/** What an action sees during one attempt of a step, whose deadline starts now. */
function contextFor(account: AccountModel, options: SimulateOptions, run: RunIdentity, step: StepDefinition, timeoutSeconds: number | undefined): ActionContext {
  const { clock } = account;
  const caller: CallCaller = { executionId: run.executionId, documentName: run.documentName, stepName: step.name };
  const deadlineMs = timeoutSeconds === undefined ? undefined : clock.nowMs() + timeoutSeconds * 1000;
  const wait = (seconds: number, reason: string): void => {
    const target = clock.nowMs() + seconds * 1000;
    const limit = deadlineMs ?? clock.nowMs() + UNBOUNDED_WAIT_LIMIT_SECONDS * 1000;
    if (target > limit) {
      clock.advanceTo(limit);
      throw new StepTimedOutError(`Step ${step.name} timed out after ${timeoutSeconds ?? UNBOUNDED_WAIT_LIMIT_SECONDS} seconds ${reason}`);
    }
    clock.advanceTo(target);
  };
  return {
    account,
    executionId: run.executionId,
    stepName: step.name,
    scriptModels: options.scriptModels,
    deadlineMs,
    callAws(service, operation, input) {
      const retryUntil = clock.nowMs() + (options.throttlingRetrySeconds ?? 0) * 1000;
      let backoff = 1;
      for (;;) {
        try {
          return account.call(service, operation, input, caller) as Record<string, unknown>;
        } catch (error) {
          if (isThrottlingError(error) && clock.nowMs() + backoff * 1000 <= retryUntil) {
            wait(backoff, `retrying throttled ${operation}`);
            backoff = Math.min(backoff * 2, MAX_THROTTLING_BACKOFF_SECONDS);
            continue;
          }
          if (isAwsServiceError(error)) {
            throw new StepFailedError(`An error occurred (${error.name}) when calling the ${operation} operation: ${error.message}`, { cause: error });
          }
          throw error;
        }
      }
    },
    wait,
    poll(what, intervalSeconds, check) {
      for (;;) {
        const value = check();
        if (value !== undefined) return value;
        wait(intervalSeconds, `waiting for ${what}`);
      }
    },
    approvalDecision: (inputs) => decide(options.approvals, step.name, inputs),
    async runChildAutomation(name, runtime): Promise<ChildAutomationRun> {
      const child = await findDocument(name, options);
      try {
        const result = await simulate(child, childParameters(child, runtime), { ...options, account, cancelDuringStep: undefined, parentExecutionId: run.executionId });
        return { executionId: result.executionId, status: result.status, outputs: result.outputs, failureMessage: result.failureMessage, trace: result.trace };
      } catch (error) {
        if (error instanceof ParameterError || error instanceof DocumentError) throw new StepFailedError(`Nested automation ${name} refused: ${error.message}`, { cause: error });
        throw error;
      }
    },
  };
}

/** The step's declared `outputs`, selected from the API response (or the action's own outputs). */
function declaredOutputs(step: StepDefinition, outcome: ActionOutcome): Record<string, unknown> {
  const source = outcome.response ?? outcome.outputs;
  const outputs: Record<string, unknown> = {};
  for (const output of step.outputs ?? []) {
    const value = select(source, output.Selector);
    // Unconfirmed: a selector that matches nothing leaves the output unset (referring to it later fails).
    if (value !== undefined) outputs[output.Name] = toOutputType(value, output.Type, `${step.name}.${output.Name}`);
  }
  return outputs;
}

/**
 * Runs a step: up to `maxAttempts` attempts, each bounded by the timeout. A failed attempt keeps
 * the nested automation's trace it produced, for the trace, until a later attempt produces another.
 */
async function runStep(step: StepDefinition, scope: VariableScope, account: AccountModel, options: SimulateOptions, run: RunIdentity, injectFailure: boolean): Promise<StepRun> {
  const action = SUPPORTED_ACTIONS.get(step.action) as AutomationAction;
  const timeoutSeconds = step.timeoutSeconds ?? action.defaultTimeoutSeconds;
  const maxAttempts = step.maxAttempts ?? 1;
  // What is left when no attempt runs (maxAttempts below 1, which the schema refuses).
  let last: StepRun = { inputs: step.inputs, outputs: {}, outcome: { status: 'Success' }, attempts: Math.min(1, maxAttempts) };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let inputs = last.inputs;
    try {
      inputs = substitute(step.inputs, scope) as Record<string, unknown>;
      if (injectFailure) throw new StepFailedError(`Injected fault: the ${step.action} action of step ${step.name} failed`);
      const outcome = await action.run(inputs, contextFor(account, options, run, step, timeoutSeconds));
      const outputs = { ...outcome.outputs, ...declaredOutputs(step, outcome) };
      return { inputs, outputs, outcome: { status: 'Success', branchTarget: outcome.nextStep }, attempts: attempt, children: outcome.child?.trace };
    } catch (error) {
      if (!isStepFailure(error)) throw error;
      const status = error instanceof StepTimedOutError ? 'TimedOut' : 'Failed';
      const children = error instanceof ChildAutomationFailedError ? error.child.trace : last.children;
      last = { inputs, outputs: {}, outcome: { status, message: error.message }, failureMessage: error.message, attempts: attempt, children };
    }
  }
  return last;
}

/** The document's `outputs` (`<step>.<output>`) that the steps produced. */
function documentOutputs(document: AutomationDocument, stepOutputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const reference of document.content.outputs ?? []) {
    const dot = reference.indexOf('.');
    const value = stepOutputs.get(reference.slice(0, dot))?.[reference.slice(dot + 1)];
    if (value !== undefined) outputs[reference] = value;
  }
  return outputs;
}

/** An execution under way: the state the loop of {@link simulate} used to keep in local variables. */
class RunningExecution implements Execution {
  private readonly steps: StepIndex;
  private readonly definitions: ReadonlyMap<string, StepDefinition>;
  private readonly scope: VariableScope & { readonly stepOutputs: Map<string, Record<string, unknown>> };
  private readonly runs: StepTrace[] = [];
  /** The runs as SSM shows them, built step by step (converting the whole trace each step would be quadratic). */
  private readonly stepRecords: StepExecution[] = [];
  private readonly parameterLists: Record<string, string[]>;
  private readonly startTime: Date;
  private at: NextStep;
  /** The steps of `failSteps` that have had their failing run. */
  private readonly faulted = new Set<string>();
  private stepping = false;
  private ended: SimulationResult | undefined;

  constructor(
    private readonly document: AutomationDocument,
    private readonly account: AccountModel,
    private readonly options: SimulateOptions,
    readonly executionId: string,
    parameters: Readonly<Record<string, unknown>>,
  ) {
    this.steps = indexSteps(document.content.mainSteps);
    this.definitions = new Map(document.content.mainSteps.map((step) => [step.name, step]));
    this.scope = { parameters, stepOutputs: new Map(), system: systemVariables(account, executionId) };
    this.startTime = account.clock.now();
    this.at = firstStep(this.steps);
    this.parameterLists = asStringLists(parameters);
    this.record();
    if (this.at.kind === 'end') this.finish(this.at);
  }

  get documentName(): string {
    return this.document.name;
  }

  get done(): boolean {
    return this.ended !== undefined;
  }

  get nextStepName(): string | undefined {
    return this.at.kind === 'goto' ? this.steps.steps[this.at.index]?.name : undefined;
  }

  get trace(): readonly StepTrace[] {
    return [...this.runs];
  }

  async step(): Promise<StepTrace | undefined> {
    const at = this.at;
    if (at.kind === 'end') return undefined;
    if (this.stepping) throw new SimulatorError(`Execution ${this.executionId}: step() was called while a step was running; await each step first`);
    const maxStepRuns = this.options.maxStepRuns ?? 1000;
    if (this.runs.length + 1 > maxStepRuns) throw new SimulatorError(`Document ${this.document.name}: more than ${maxStepRuns} step runs; the steps loop`);
    this.stepping = true;
    try {
      const { account, options, steps, scope } = this;
      const step = steps.steps[at.index] as StepDefinition;
      const stepStart = account.clock.now();
      const injectFailure = (options.failSteps?.includes(step.name) ?? false) && !this.faulted.has(step.name);
      if (injectFailure) this.faulted.add(step.name);
      const run = !at.run.cancelled && options.cancelDuringStep === step.name ? cancelledRun(step) : await runStep(step, scope, account, options, this, injectFailure);
      scope.stepOutputs.set(step.name, run.outputs);
      const next = nextStep(steps, at.index, run.outcome, at.run);
      const entry: StepTrace = {
        stepName: step.name,
        action: step.action,
        inputs: run.inputs,
        outputs: run.outputs,
        startTime: stepStart,
        endTime: account.clock.now(),
        attempts: run.attempts,
        status: run.outcome.status,
        failureMessage: run.failureMessage,
        nextStep: next.kind === 'goto' ? steps.steps[next.index]?.name : undefined,
        children: run.children,
      };
      this.runs.push(entry);
      this.stepRecords.push(...stepExecutions([entry], this.definitions));
      this.at = next;
      if (next.kind === 'end') this.finish(next);
      else this.record();
      return entry;
    } finally {
      this.stepping = false;
    }
  }

  result(): SimulationResult {
    if (this.ended === undefined) throw new SimulatorError(`Execution ${this.executionId} of ${this.document.name} has not ended: its next step is ${this.nextStepName ?? '(none)'}`);
    return this.ended;
  }

  private finish(end: Extract<NextStep, { kind: 'end' }>): void {
    this.ended = {
      executionId: this.executionId,
      documentName: this.document.name,
      status: end.status,
      outputs: documentOutputs(this.document, this.scope.stepOutputs),
      trace: [...this.runs],
      failureMessage: end.failureMessage,
      startTime: this.startTime,
      endTime: this.account.clock.now(),
    };
    this.record();
  }

  /** Registers the execution as it is now in the account's SSM model. */
  private record(): void {
    const next = this.at.kind === 'goto' ? this.steps.steps[this.at.index] : undefined;
    this.account.ssm.recordAutomationExecution({
      id: this.executionId,
      documentName: this.document.name,
      status: this.ended?.status ?? 'InProgress',
      startTime: this.startTime,
      endTime: this.ended?.endTime,
      failureMessage: this.ended?.failureMessage,
      parentExecutionId: this.options.parentExecutionId,
      currentStep: next === undefined ? undefined : { name: next.name, action: next.action },
      parameters: this.parameterLists,
      outputs: this.ended === undefined ? undefined : asStringLists(this.ended.outputs),
      steps: this.stepRecords,
    });
  }
}

/**
 * Starts a document: checks it and its parameters, registers the execution (`InProgress`) in the
 * account's SSM model, and returns it before its first step. Refuses (throws) as {@link simulate}
 * does.
 */
export async function startExecution(document: AutomationDocument, parameters: Readonly<Record<string, unknown>> = {}, options: SimulateOptions = {}): Promise<Execution> {
  const account = options.account ?? new AccountModel();
  assertActionsSupported(document, account, options.scriptModels);
  const values = resolveParameters(document, parameters);
  const executionId = account.ids.uuid();
  return new RunningExecution(document, account, options, executionId, values);
}

/**
 * Runs a document to its end. Refuses (throws) before the first step when the document uses an
 * unsupported action ({@link UnsupportedActionError}; {@link UnsupportedScriptError} for a
 * script without a model) or a parameter is missing or invalid ({@link ParameterError});
 * everything that goes wrong during the run is in the result.
 */
export async function simulate(document: AutomationDocument, parameters: Readonly<Record<string, unknown>> = {}, options: SimulateOptions = {}): Promise<SimulationResult> {
  const execution = await startExecution(document, parameters, options);
  while (!execution.done) await execution.step();
  return execution.result();
}

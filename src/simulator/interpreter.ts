/**
 * The Automation interpreter: runs a checked document step by step against an account model, in
 * simulated time, and returns the final status, the document outputs and a step trace.
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
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountModel } from './account-model.js';
import { SUPPORTED_ACTIONS, type ActionContext, type ActionOutcome, type AutomationAction, type ChildAutomationRun } from './actions/index.js';
import { formatDate, formatDateTime } from './clock.js';
import { loadDocument, stepReference, type AutomationDocument, type StepDefinition } from './document.js';
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
  VariableError,
  isAwsServiceError,
  isThrottlingError,
} from './errors.js';
import { resolveParameters } from './parameters.js';
import type { ExecutionStatus, StepStatus, StepTrace } from './trace.js';
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
   * The account's throttling retry time limit (`/ssm/automation/throttling-retry-time-limit`,
   * 0–3600 s). Default 0: a throttled call fails the attempt. Unconfirmed: AWS does not state
   * the default of the setting.
   */
  readonly throttlingRetrySeconds?: number;
  /** Guard against loops between steps. Default 1000 step runs. */
  readonly maxStepRuns?: number;
}

/** A poll with no timeout at all gives up after this long (AWS caps automations far below). */
const UNBOUNDED_WAIT_LIMIT_SECONDS = 7 * 24 * 3600;
const MAX_THROTTLING_BACKOFF_SECONDS = 30;

const API_ACTIONS = new Set(['aws:executeAwsApi', 'aws:waitForAwsResourceProperty', 'aws:assertAwsResourceProperty']);

/**
 * Refuses a document that uses an action the simulator does not model, naming it; with an
 * account, also a literal `Service`/`Api` pair the account model does not implement.
 */
export function assertActionsSupported(document: AutomationDocument, account?: AccountModel): void {
  for (const step of document.content.mainSteps) {
    if (!SUPPORTED_ACTIONS.has(step.action)) throw new UnsupportedActionError(step.action, step.name);
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
      const scalar = type === 'String' || type === 'Integer' || type === 'Boolean';
      return [name, scalar && Array.isArray(value) && value.length === 1 ? value[0] : value];
    }),
  );
}

/**
 * Runs a document. Refuses (throws) before the first step when the document uses an unsupported
 * action ({@link UnsupportedActionError}) or a parameter is missing or invalid
 * ({@link ParameterError}); everything that goes wrong during the run is in the result.
 */
export async function simulate(document: AutomationDocument, parameters: Readonly<Record<string, unknown>> = {}, options: SimulateOptions = {}): Promise<SimulationResult> {
  const account = options.account ?? new AccountModel();
  assertActionsSupported(document, account);
  const values = resolveParameters(document, parameters);
  const { clock } = account;
  const executionId = account.ids.uuid();
  const stepOutputs = new Map<string, Record<string, unknown>>();
  const scope: VariableScope = {
    parameters: values,
    stepOutputs,
    system: {
      'automation:EXECUTION_ID': executionId,
      'global:ACCOUNT_ID': account.accountId,
      'global:REGION': account.region,
      'global:AWS_PARTITION': 'aws',
      'global:DATE': formatDate(clock.now()),
      'global:DATE_TIME': formatDateTime(clock.now()),
    },
  };
  const steps = document.content.mainSteps;
  const indexOf = new Map(steps.map((s, i) => [s.name, i]));
  const trace: StepTrace[] = [];
  const startTime = clock.now();
  let criticalFailure: { status: StepStatus; message: string } | undefined;
  let aborted: { status: StepStatus; message: string } | undefined;
  let cancelled = false;
  let index: number | undefined = 0;
  let runs = 0;

  const contextFor = (step: StepDefinition, deadlineMs: number | undefined, timeoutSeconds: number | undefined): ActionContext => {
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
      stepName: step.name,
      deadlineMs,
      callAws(service, operation, input) {
        const retryUntil = clock.nowMs() + (options.throttlingRetrySeconds ?? 0) * 1000;
        let backoff = 1;
        for (;;) {
          try {
            return account.call(service, operation, input) as Record<string, unknown>;
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
          const result = await simulate(child, childParameters(child, runtime), { ...options, account, cancelDuringStep: undefined });
          return { executionId: result.executionId, status: result.status, outputs: result.outputs, failureMessage: result.failureMessage, trace: result.trace };
        } catch (error) {
          if (error instanceof ParameterError || error instanceof DocumentError) throw new StepFailedError(`Nested automation ${name} refused: ${error.message}`, { cause: error });
          throw error;
        }
      },
    };
  };

  const declaredOutputs = (step: StepDefinition, outcome: ActionOutcome): Record<string, unknown> => {
    const source = outcome.response ?? outcome.outputs;
    const outputs: Record<string, unknown> = {};
    for (const output of step.outputs ?? []) {
      const value = select(source, output.Selector);
      // Unconfirmed: a selector that matches nothing leaves the output unset (referring to it later fails).
      if (value !== undefined) outputs[output.Name] = toOutputType(value, output.Type, `${step.name}.${output.Name}`);
    }
    return outputs;
  };

  while (index !== undefined && index < steps.length) {
    runs += 1;
    if (runs > (options.maxStepRuns ?? 1000)) throw new SimulatorError(`Document ${document.name}: more than ${options.maxStepRuns ?? 1000} step runs; the steps loop`);
    const step = steps[index] as StepDefinition;
    const action = SUPPORTED_ACTIONS.get(step.action) as AutomationAction;
    const stepStart = clock.now();
    const timeoutSeconds = step.timeoutSeconds ?? action.defaultTimeoutSeconds;
    let inputs: Readonly<Record<string, unknown>> = step.inputs;
    let outputs: Record<string, unknown> = {};
    let status: StepStatus = 'Success';
    let failureMessage: string | undefined;
    let branchTarget: string | undefined;
    let children: readonly StepTrace[] | undefined;
    let attempts = 0;

    if (!cancelled && options.cancelDuringStep === step.name) {
      cancelled = true;
      status = 'Cancelled';
      failureMessage = 'Cancelled by the user during this step';
    } else {
      for (attempts = 1; attempts <= (step.maxAttempts ?? 1); attempts++) {
        try {
          inputs = substitute(step.inputs, scope) as Record<string, unknown>;
          const deadline = timeoutSeconds === undefined ? undefined : clock.nowMs() + timeoutSeconds * 1000;
          const outcome = await action.run(inputs, contextFor(step, deadline, timeoutSeconds));
          outputs = { ...outcome.outputs, ...declaredOutputs(step, outcome) };
          branchTarget = outcome.nextStep;
          children = outcome.child?.trace;
          status = 'Success';
          failureMessage = undefined;
          break;
        } catch (error) {
          if (!isStepFailure(error)) throw error;
          status = error instanceof StepTimedOutError ? 'TimedOut' : 'Failed';
          failureMessage = error.message;
          if (error instanceof ChildAutomationFailedError) children = error.child.trace;
        }
      }
      attempts = Math.min(attempts, step.maxAttempts ?? 1);
    }

    stepOutputs.set(step.name, outputs);
    let next: number | undefined;
    if (status === 'Success') {
      if (branchTarget !== undefined) next = indexOf.get(branchTarget);
      else if (step.isEnd === true) next = undefined;
      else if (step.nextStep !== undefined) next = indexOf.get(step.nextStep);
      else next = index + 1;
    } else if (status === 'Cancelled') {
      const target = stepReference(step.onCancel);
      next = target === undefined ? undefined : indexOf.get(target);
    } else {
      const failure = { status, message: `Step ${step.name} ${status === 'TimedOut' ? 'timed out' : 'failed'}: ${failureMessage ?? ''}` };
      if (step.isCritical !== false) criticalFailure ??= failure;
      const onFailure = step.onFailure ?? 'Abort';
      if (onFailure === 'Abort') {
        // Unconfirmed: Abort ends the automation Failed even for a non-critical step.
        aborted = failure;
        next = undefined;
      } else if (onFailure === 'Continue') {
        // Unconfirmed: Continue honours isEnd and nextStep as a success would.
        next = step.isEnd === true ? undefined : step.nextStep !== undefined ? indexOf.get(step.nextStep) : index + 1;
      } else {
        next = indexOf.get(stepReference(onFailure) ?? '');
      }
    }
    trace.push({
      stepName: step.name,
      action: step.action,
      inputs,
      outputs,
      startTime: stepStart,
      endTime: clock.now(),
      attempts,
      status,
      failureMessage,
      nextStep: next === undefined ? undefined : steps[next]?.name,
      children,
    });
    index = next;
  }

  const ending = cancelled ? undefined : (aborted ?? criticalFailure);
  const status: ExecutionStatus = cancelled ? 'Cancelled' : ending === undefined ? 'Success' : ending.status === 'TimedOut' ? 'TimedOut' : 'Failed';
  const outputs: Record<string, unknown> = {};
  for (const reference of document.content.outputs ?? []) {
    const dot = reference.indexOf('.');
    const value = stepOutputs.get(reference.slice(0, dot))?.[reference.slice(dot + 1)];
    if (value !== undefined) outputs[reference] = value;
  }
  return {
    executionId,
    documentName: document.name,
    status,
    outputs,
    trace,
    failureMessage: cancelled ? 'The automation was cancelled' : ending?.message,
    startTime,
    endTime: clock.now(),
  };
}

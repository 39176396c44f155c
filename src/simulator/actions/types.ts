/**
 * The contract between the interpreter and the actions. An action gets its inputs after `{{ }}`
 * substitution and an {@link ActionContext}; it returns its outputs or throws (a
 * `StepFailedError`, a `StepTimedOutError`, an AWS service error...), and the
 * interpreter applies `maxAttempts`, `onFailure` and `isCritical`.
 */
import type { AccountModel } from '../account-model.js';
import type { ScriptModels } from '../scripts.js';
import type { StepTrace } from '../trace.js';

/** A nested automation run, as `aws:executeAutomation` sees it. */
export interface ChildAutomationRun {
  readonly executionId: string;
  readonly status: string;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly failureMessage?: string;
  readonly trace: readonly StepTrace[];
}

/** What the interpreter offers an action while it runs one attempt of a step. */
export interface ActionContext {
  readonly account: AccountModel;
  /** The execution the step belongs to. */
  readonly executionId: string;
  readonly stepName: string;
  /** The run's own script models (aws:executeScript looks there before the registry). */
  readonly scriptModels: ScriptModels | undefined;
  /** Simulated time (epoch ms) at which this attempt times out, if it can. */
  readonly deadlineMs: number | undefined;
  /** One API call through the account model, with automatic throttling retry when enabled. */
  callAws(service: string, operation: string, input: Record<string, unknown>): Record<string, unknown>;
  /** Lets simulated time pass; throws `StepTimedOutError` when the deadline comes first. */
  wait(seconds: number, reason: string): void;
  /**
   * Calls `check` every `intervalSeconds` of simulated time until it returns a value (not
   * undefined); throws `StepTimedOutError` naming `what` at the deadline.
   */
  poll<T>(what: string, intervalSeconds: number, check: () => T | undefined): T;
  /** The caller's decision on an `aws:approve` step. */
  approvalDecision(inputs: Readonly<Record<string, unknown>>): 'Approved' | 'Rejected';
  /** Runs another Automation document in the same account (for `aws:executeAutomation`). */
  runChildAutomation(documentName: string, parameters: Readonly<Record<string, unknown>>): Promise<ChildAutomationRun>;
}

/** What an action produced. */
export interface ActionOutcome {
  /** The action's own outputs (`ImageId`, `CommandId`...), referable as `{{ step.Name }}`. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** What the step's declared output selectors read (the API response for aws:executeAwsApi). */
  readonly response?: unknown;
  /** For aws:branch: the step chosen; undefined means "the next step in the document". */
  readonly nextStep?: string;
  /** For aws:executeAutomation: the nested run. */
  readonly child?: ChildAutomationRun;
}

/** One Automation action. */
export interface AutomationAction {
  /** `aws:…` */
  readonly name: string;
  /** The action's own timeout when the step sets no `timeoutSeconds` (documented for waiting actions). */
  readonly defaultTimeoutSeconds?: number;
  run(inputs: Readonly<Record<string, unknown>>, context: ActionContext): ActionOutcome | Promise<ActionOutcome>;
}

/** Seconds between two polls of a waiting action. Unconfirmed: AWS does not publish its interval. */
export const POLL_INTERVAL_SECONDS = 5;

/** Documented default timeout of the waiting actions (one hour). */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 3600;

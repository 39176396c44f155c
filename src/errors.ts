/**
 * Every error ena-guard raises on purpose. Each names what was wrong in its message and keeps the
 * underlying error as `cause`; callers map them once, at the boundary (Lambda handler, CLI).
 */
export class EnaGuardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The Lambda was invoked with something that is not a valid AWS Config rule event. */
export class MalformedEventError extends EnaGuardError {}

/** `ruleParameters` failed the rule's schema; no evaluation is reported. */
export class InvalidRuleParametersError extends EnaGuardError {
  constructor(
    message: string,
    readonly parameters: readonly string[],
  ) {
    super(message);
  }
}

/** A fact source (AWS or a snapshot) could not provide what was asked. */
export class FactsUnavailableError extends EnaGuardError {}

/** A snapshot file is missing, is not JSON, or does not have the shape `aws ec2 describe-*` prints. */
export class SnapshotError extends FactsUnavailableError {
  constructor(
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options);
  }
}

/** A snapshot file a check needs is not in the folder (other checks may still run). */
export class MissingSnapshotFileError extends SnapshotError {}

/**
 * The run finished but some results did not reach AWS Config, or a change event's resource could
 * not be judged. Thrown after everything that could be delivered was delivered, so that Lambda
 * marks the invocation failed and Config's asynchronous invoke retries it.
 */
export class IncompleteEvaluationError extends EnaGuardError {
  constructor(
    message: string,
    readonly undeliveredResourceIds: readonly string[],
    readonly unjudgedResourceIds: readonly string[],
  ) {
    super(message);
  }
}

/** Why a periodic sweep left no trustworthy picture of the account (see {@link IncompleteSweepError}). */
export type IncompleteSweepReason =
  /** A fact source (DescribeInstances, DescribeInstanceInformation, a snapshot…) failed part-way or at once. */
  | 'fact-source-failed'
  /** The sweep ran to its end over resources it found, but could judge none of them. */
  | 'judged-nothing'
  /** The deadline stopped the sweep before it had judged a single resource. */
  | 'deadline';

export interface IncompleteSweepCounts {
  /** Resources the sweep produced a result for (judged or not). */
  readonly resourcesSwept: number;
  /** Of those, the resources it could judge. */
  readonly resourcesJudged: number;
  /** Evaluations computed but not delivered to AWS Config. */
  readonly undelivered: number;
}

/**
 * A periodic sweep did not cover the account: its fact source failed, or it judged nothing of what
 * it found. Thrown after everything that was computed was delivered, so that Lambda marks the
 * invocation failed (the function's Errors metric, an alarm, Config's retry). `cause` is the
 * fact-source error when there was one. A sweep that completed over zero resources is an empty
 * account, not this error.
 */
export class IncompleteSweepError extends EnaGuardError {
  constructor(
    message: string,
    readonly reason: IncompleteSweepReason,
    readonly counts: IncompleteSweepCounts,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Describes any thrown value in one line, for logs and annotations. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The stack's state bucket (the stale-result ledger) could not be read or written. */
export class LedgerUnavailableError extends EnaGuardError {}

/** No usable AWS credentials, or AWS refused them (STS GetCallerIdentity, AssumeRole): nothing live could be checked. */
export class CredentialsError extends EnaGuardError {}

/** A finding has no account or Region, which ASFF needs (its ProductArn and AwsAccountId name both). */
export class AsffUnavailableError extends EnaGuardError {}

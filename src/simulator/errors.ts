/**
 * Errors of the runbook simulator.
 *
 * Two families live here:
 * - {@link SimulatorError} and its subclasses: the simulator refuses a document, a parameter, an
 *   action or an input. They carry `cause` when they wrap another error.
 * - AWS service errors produced by the account model ({@link createAwsError}): shaped exactly like
 *   the SDK v3 service exceptions (`name` is the AWS error code, `$fault`, `$metadata`), so code
 *   under test that catches SDK errors sees the same thing it would see against AWS.
 */
import { ConditionalCheckFailedException, DynamoDBServiceException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { SSMServiceException } from '@aws-sdk/client-ssm';
import { EnaGuardError } from '../errors.js';
import type { StepTrace } from './trace.js';

/** Base class of everything the simulator itself refuses. */
export class SimulatorError extends EnaGuardError {}

/** The document file could not be read or parsed, or breaks the schema 0.3 rules. */
export class DocumentError extends SimulatorError {
  constructor(
    readonly documentName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Document ${documentName}: ${message}`, options);
  }
}

/** The document is a Command document (schema 1.2, 2.0 or 2.2, run on instances), not an Automation runbook. */
export class CommandDocumentError extends DocumentError {
  constructor(
    documentName: string,
    readonly schemaVersion: string,
  ) {
    super(documentName, `is a Command document (schemaVersion ${schemaVersion}), not an Automation runbook (schemaVersion 0.3)`);
  }
}

/** A runbook parameter is missing, of the wrong type, or outside its allowed values or pattern. */
export class ParameterError extends SimulatorError {
  constructor(
    readonly parameterName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Parameter ${parameterName}: ${message}`, options);
  }
}

/** A `{{ }}` reference or an output selector could not be resolved. */
export class VariableError extends SimulatorError {}

/** A step uses an action the simulator does not model: refused, never ignored. */
export class UnsupportedActionError extends SimulatorError {
  constructor(
    readonly action: string,
    readonly stepName: string,
    message = `Step ${stepName}: action ${action} is not supported by the simulator`,
  ) {
    super(message);
  }
}

/**
 * An `aws:executeScript` step whose script the simulator has no TypeScript model of (no
 * `# ena-guard:script <name>` marker, or no model registered under that name).
 */
export class UnsupportedScriptError extends UnsupportedActionError {
  constructor(
    stepName: string,
    /** Why: "its Script has no marker line", "it is marked x, and no model is registered under that name"... */
    readonly reason: string,
    /** The name the script's marker gives, when it has one. */
    readonly scriptName?: string,
  ) {
    super(
      'aws:executeScript',
      stepName,
      `aws:executeScript step ${stepName} runs a script the simulator does not model; only scripts marked \`# ena-guard:script <name>\` with a registered model run (${reason})`,
    );
  }
}

/** An action received inputs it cannot work with (missing, wrong type, too many instances...). */
export class InvalidInputError extends SimulatorError {}

/** A `--fault` description is malformed, or names a step or an API the run cannot fail. */
export class InvalidFaultError extends SimulatorError {}

/** A step gave up: a condition was not met, a command failed, an approval was rejected. */
export class StepFailedError extends SimulatorError {}

/** A nested automation (aws:executeAutomation) did not succeed; `child` holds its run and trace. */
export class ChildAutomationFailedError extends StepFailedError {
  constructor(
    documentName: string,
    readonly child: { readonly executionId: string; readonly status: string; readonly failureMessage?: string; readonly trace: readonly StepTrace[] },
  ) {
    super(`Nested automation ${documentName} (${child.executionId}) ended ${child.status}${child.failureMessage ? `: ${child.failureMessage}` : ''}`);
  }
}

/**
 * What a script model throws where the Python script would raise an exception: the step fails
 * with this message (and goes through maxAttempts / onFailure as any failed step).
 */
export class ScriptError extends StepFailedError {}

/** A step ran past its `timeoutSeconds` (or the action's default) in simulated time. */
export class StepTimedOutError extends SimulatorError {}

/** The caller asked the model for a service or operation that it does not implement. */
export class UnsupportedOperationError extends SimulatorError {
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly stepName?: string,
  ) {
    super(`${stepName === undefined ? '' : `Step ${stepName}: `}The account model does not implement ${service}:${operation}`);
  }
}

/** Service namespaces as SSM documents write them. */
export type ServiceName = 'ec2' | 'ssm' | 'autoscaling' | 'dynamodb';

/** What an SDK v3 service exception carries, whichever client threw it. */
export interface AwsServiceError extends Error {
  readonly name: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
  readonly $retryable?: { throttling?: boolean };
}

/** Error codes of a failure on AWS's side (HTTP 500). */
const SERVER_ERROR_CODES: ReadonlySet<string> = new Set(['InternalError', 'InternalFailure', 'InternalServerError', 'ServiceUnavailable']);

/** Error codes that mean "slow down": retried automatically when throttling retry is enabled. */
export const THROTTLING_ERROR_CODES: ReadonlySet<string> = new Set([
  'RequestLimitExceeded',
  'ThrottlingException',
  'Throttling',
  'TooManyUpdates',
  'ProvisionedThroughputExceededException',
]);

/**
 * Auto Scaling has no client installed in this project, so its errors get a class of their own
 * with the SDK's shape.
 */
export class AutoScalingServiceException extends Error implements AwsServiceError {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string };
  constructor(options: { name: string; message: string; $fault: 'client' | 'server'; $metadata: { httpStatusCode?: number; requestId?: string } }) {
    super(options.message);
    this.name = options.name;
    this.$fault = options.$fault;
    this.$metadata = options.$metadata;
  }
}

/** The DynamoDB errors the SDK deserializes into a class of their own (code `instanceof` checks them). */
const DYNAMODB_ERROR_CLASSES: Readonly<Record<string, typeof DynamoDBServiceException>> = {
  ConditionalCheckFailedException: ConditionalCheckFailedException as unknown as typeof DynamoDBServiceException,
  ResourceNotFoundException: ResourceNotFoundException as unknown as typeof DynamoDBServiceException,
};

/**
 * Builds an AWS error as the SDK v3 would throw it: an `EC2ServiceException` for `ec2`, an
 * `SSMServiceException` for `ssm`, a `DynamoDBServiceException` for `dynamodb` (the SDK's own
 * subclass for `ConditionalCheckFailedException` and `ResourceNotFoundException`), with the AWS
 * error code as `name`.
 */
export function createAwsError(service: ServiceName, code: string, message: string, requestId = 'simulated'): AwsServiceError {
  const throttling = THROTTLING_ERROR_CODES.has(code);
  const $fault = SERVER_ERROR_CODES.has(code) ? 'server' : 'client';
  // DynamoDB answers its throttling with a 400, the other services with a 503.
  const throttlingStatus = service === 'dynamodb' ? 400 : 503;
  const $metadata = { httpStatusCode: throttling ? throttlingStatus : $fault === 'server' ? 500 : 400, requestId, attempts: 1, totalRetryDelay: 0 };
  const options = { name: code, message, $fault, $metadata } as const;
  let error: AwsServiceError;
  if (service === 'ec2') error = new EC2ServiceException(options) as AwsServiceError;
  else if (service === 'ssm') error = new SSMServiceException(options) as AwsServiceError;
  else if (service === 'dynamodb') error = new (DYNAMODB_ERROR_CLASSES[code] ?? DynamoDBServiceException)(options) as AwsServiceError;
  else error = new AutoScalingServiceException(options);
  if (throttling) Object.assign(error, { $retryable: { throttling: true } });
  return error;
}

/** True for an error that looks like an SDK v3 service exception (ours or the SDK's). */
export function isAwsServiceError(error: unknown): error is AwsServiceError {
  return error instanceof Error && '$fault' in error && '$metadata' in error;
}

/** True for a throttling error (`RequestLimitExceeded` and friends). */
export function isThrottlingError(error: unknown): boolean {
  return isAwsServiceError(error) && THROTTLING_ERROR_CODES.has(error.name);
}

/**
 * Fault injection: make chosen API calls throttle or fail, so a test can walk every failure point
 * of a runbook. A rule matches calls by service and operation, optionally by a resource id named
 * in the input, and counts the calls it matches: `fromAttempt` and `times` choose which of them
 * fail.
 */
import type { FaultPoint } from './call-log.js';
import { createAwsError, InvalidFaultError, type AwsServiceError, type ServiceName } from './errors.js';

/** Which calls fail, and how. */
export interface FaultRule {
  readonly service: ServiceName;
  /** PascalCase operation name, as in SSM documents (`StopInstances`). */
  readonly operation: string;
  /** Only calls whose input names this resource id (instance, image, group...). */
  readonly resourceId?: string;
  /** The first matching call (1-based) that fails. Default 1. */
  readonly fromAttempt?: number;
  /** How many consecutive matching calls fail from `fromAttempt`. Default 1. */
  readonly times?: number | 'always';
  /** AWS error code thrown. Default: the service's throttling code. */
  readonly code?: string;
  readonly message?: string;
}

/** The throttling code each service uses (DynamoDB: the data-plane one, for item operations). */
export function throttlingCode(service: ServiceName): string {
  const codes: Readonly<Record<ServiceName, string>> = {
    ec2: 'RequestLimitExceeded',
    ssm: 'ThrottlingException',
    autoscaling: 'Throttling',
    dynamodb: 'ProvisionedThroughputExceededException',
  };
  return codes[service];
}

/** Shorthands for the common fault rules. */
export const Faults = {
  /** Throttle matching calls (once by default). */
  throttle(service: ServiceName, operation: string, options: Omit<FaultRule, 'service' | 'operation' | 'code'> = {}): FaultRule {
    return { service, operation, ...options, code: throttlingCode(service) };
  },
  /** Fail the first matching call (or the `fromAttempt`-th) with `code`. */
  failOnce(service: ServiceName, operation: string, code: string, options: Omit<FaultRule, 'service' | 'operation' | 'code' | 'times'> = {}): FaultRule {
    return { service, operation, ...options, code, times: 1 };
  },
  /** Fail `times` consecutive matching calls with `code`. */
  failTimes(service: ServiceName, operation: string, code: string, times: number, options: Omit<FaultRule, 'service' | 'operation' | 'code' | 'times'> = {}): FaultRule {
    return { service, operation, ...options, code, times };
  },
  /** Fail every matching call with `code`. */
  failAlways(service: ServiceName, operation: string, code: string, options: Omit<FaultRule, 'service' | 'operation' | 'code' | 'times'> = {}): FaultRule {
    return { service, operation, ...options, code, times: 'always' };
  },
  /** Fail exactly the call at a recorded fault point. */
  atPoint(point: FaultPoint, code = 'InternalError'): FaultRule {
    return { service: point.service, operation: point.operation, fromAttempt: point.attempt, times: 1, code };
  },
} as const;

/** Holds fault rules and decides, call by call, whether one strikes. */
export class FaultInjector {
  private readonly rules: { rule: FaultRule; matched: number }[] = [];

  constructor(rules: readonly FaultRule[] = []) {
    for (const rule of rules) this.add(rule);
  }

  /** Adds a rule; it counts matching calls from now on. */
  add(rule: FaultRule): void {
    this.rules.push({ rule, matched: 0 });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules.length = 0;
  }

  /**
   * Counts the call against every matching rule and returns the error of the first rule that
   * strikes, or undefined.
   */
  check(service: ServiceName, operation: string, resourceIds: readonly string[]): AwsServiceError | undefined {
    let strike: AwsServiceError | undefined;
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.service !== service || rule.operation !== operation) continue;
      if (rule.resourceId !== undefined && !resourceIds.includes(rule.resourceId)) continue;
      entry.matched += 1;
      const from = rule.fromAttempt ?? 1;
      const times = rule.times ?? 1;
      const strikes = entry.matched >= from && (times === 'always' || entry.matched < from + times);
      if (strikes && strike === undefined) {
        const code = rule.code ?? throttlingCode(service);
        strike = createAwsError(service, code, rule.message ?? `Injected fault: ${code} on ${service}:${operation} (call ${entry.matched})`);
      }
    }
    return strike;
  }
}

/** The services the account model has, as SSM documents name them. */
export const FAULT_SERVICES: readonly ServiceName[] = ['ec2', 'ssm', 'autoscaling', 'dynamodb'];

/** The code each service answers an internal failure with (HTTP 500). */
export function serverErrorCode(service: ServiceName): string {
  const codes: Readonly<Record<ServiceName, string>> = {
    ec2: 'InternalError',
    ssm: 'InternalServerError',
    autoscaling: 'InternalFailure',
    dynamodb: 'InternalServerError',
  };
  return codes[service];
}

/** A fault asked for in words ({@link parseFault}): a step that fails, or calls to an API that fail. */
export type FaultSpec =
  | { readonly kind: 'step'; readonly text: string; readonly stepName: string }
  | { readonly kind: 'api'; readonly text: string; readonly rule: FaultRule };

/** What a fault may name: the runbook's steps and the operations the account models. */
export interface FaultTargets {
  readonly documentName: string;
  readonly steps: readonly string[];
  /** The operations modelled for a service (empty when the service is not modelled). */
  readonly operations: (service: ServiceName) => readonly string[];
}

/** The forms {@link parseFault} reads, as its refusals name them. */
export const FAULT_FORMS = 'STEP, SERVICE:Api, SERVICE:Api=ErrorCode or SERVICE:Api#N=ErrorCode (SERVICE may start with aws:)';

const STEP_FAULT = /^[A-Za-z0-9_-]{1,100}$/;
const API_FAULT = /^(?:aws:)?([A-Za-z0-9]+):([A-Za-z0-9]+)(?:#([1-9][0-9]{0,5}))?(?:=([A-Za-z][A-Za-z0-9._]{0,127}))?$/;

function list(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/**
 * Reads one fault as a user writes it on the command line:
 * - `STEP`: that step of the runbook fails (its first run, every attempt, before its action runs);
 * - `SERVICE:Api` (or `aws:SERVICE:Api`): every call to that API fails with the service's
 *   internal error (`InternalError` for EC2, `InternalServerError` for SSM and DynamoDB,
 *   `InternalFailure` for Auto Scaling);
 * - `SERVICE:Api=ErrorCode`: every call fails with that AWS error code (a throttling code such as
 *   `RequestLimitExceeded` throttles);
 * - `SERVICE:Api#N` / `SERVICE:Api#N=ErrorCode`: only the N-th call to that API fails.
 * Refuses, with one sentence naming the valid choices, a malformed fault, a step the runbook does
 * not have, and a service or API the account model does not have ({@link InvalidFaultError}).
 */
export function parseFault(text: string, targets: FaultTargets): FaultSpec {
  const quoted = JSON.stringify(text);
  const api = API_FAULT.exec(text);
  if (api !== null) {
    const [, serviceText = '', operation = '', nth, code] = api;
    const service = FAULT_SERVICES.find((candidate) => candidate === serviceText.toLowerCase());
    if (service === undefined) throw new InvalidFaultError(`Fault ${quoted}: the simulator models the services ${list(FAULT_SERVICES)}, not ${serviceText}.`);
    const operations = targets.operations(service);
    if (!operations.includes(operation)) throw new InvalidFaultError(`Fault ${quoted}: the simulator's ${service} has no API ${operation}; its ${service} APIs are ${list(operations)}.`);
    const which = nth === undefined ? { times: 'always' as const } : { fromAttempt: Number(nth), times: 1 };
    return { kind: 'api', text, rule: { service, operation, ...which, code: code ?? serverErrorCode(service) } };
  }
  if (STEP_FAULT.test(text)) {
    if (!targets.steps.includes(text)) throw new InvalidFaultError(`Fault ${quoted}: ${targets.documentName} has no step ${text}; its steps are ${list(targets.steps)}.`);
    return { kind: 'step', text, stepName: text };
  }
  throw new InvalidFaultError(`Fault ${quoted} is malformed: give ${FAULT_FORMS}, e.g. startInstance or ec2:StartInstances=InsufficientInstanceCapacity.`);
}

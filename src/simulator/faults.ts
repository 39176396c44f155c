/**
 * Fault injection: make chosen API calls throttle or fail, so a test can walk every failure point
 * of a runbook. A rule matches calls by service and operation, optionally by a resource id named
 * in the input, and counts the calls it matches: `fromAttempt` and `times` choose which of them
 * fail.
 */
import type { FaultPoint } from './call-log.js';
import { createAwsError, type AwsServiceError, type ServiceName } from './errors.js';

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

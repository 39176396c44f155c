/**
 * The record of every API call the account model served (from a runbook step or from an SDK
 * client wired to the model), so tests can count calls and enumerate the points where a fault
 * could strike.
 */
import type { ServiceName } from './errors.js';

/** The runbook step that made a call. */
export interface CallCaller {
  readonly executionId: string;
  readonly documentName: string;
  readonly stepName: string;
}

/** One API call as the model saw it. */
export interface ApiCallRecord {
  /** 1-based position of the call in the whole log. */
  readonly seq: number;
  readonly service: ServiceName;
  readonly operation: string;
  /**
   * 1-based number of this call among the calls to the same service and operation: the
   * `attempt` a {@link FaultRule} can target.
   */
  readonly attempt: number;
  readonly input: unknown;
  readonly output?: unknown;
  /** The AWS error code and message when the call failed. */
  readonly error?: { readonly code: string; readonly message: string; readonly injected: boolean };
  /** Resource ids named in the input (instances, images, snapshots, launch templates, groups, tables, executions). */
  readonly resourceIds: readonly string[];
  /** Simulated time of the call. */
  readonly at: Date;
  /** The execution and step that made the call; absent for calls from an SDK client or a test. */
  readonly caller?: CallCaller;
}

/** A place where a fault can be injected: the n-th call to one operation. */
export interface FaultPoint {
  readonly service: ServiceName;
  readonly operation: string;
  readonly attempt: number;
  readonly resourceIds: readonly string[];
}

const RESOURCE_ID = /^(i|ami|snap|lt|vol|eni)-[0-9a-zA-Z]+$/;
const NAMED_RESOURCE_KEYS = new Set(['AutoScalingGroupName', 'LaunchTemplateName', 'CommandId', 'TableName', 'AutomationExecutionId']);

/** Resource ids found anywhere in an API input. */
export function resourceIdsOf(input: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === 'string') {
      if (RESOURCE_ID.test(value) || (key !== undefined && NAMED_RESOURCE_KEYS.has(key))) found.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(input, undefined);
  return [...found];
}

/** An append-only log of API calls. */
export class CallLog {
  private readonly records: ApiCallRecord[] = [];
  private readonly perOperation = new Map<string, number>();

  /** Number the next call to `service:operation` would get. */
  nextAttempt(service: ServiceName, operation: string): number {
    return (this.perOperation.get(`${service}:${operation}`) ?? 0) + 1;
  }

  /** Appends a call and returns its record. */
  add(record: Omit<ApiCallRecord, 'seq' | 'attempt'>): ApiCallRecord {
    const key = `${record.service}:${record.operation}`;
    const attempt = (this.perOperation.get(key) ?? 0) + 1;
    this.perOperation.set(key, attempt);
    const full: ApiCallRecord = { ...record, seq: this.records.length + 1, attempt };
    this.records.push(full);
    return full;
  }

  /** Every call so far, oldest first; optionally only those to one service (and operation). */
  calls(filter?: { service?: ServiceName; operation?: string }): readonly ApiCallRecord[] {
    return this.records.filter(
      (r) => (filter?.service === undefined || r.service === filter.service) && (filter?.operation === undefined || r.operation === filter.operation),
    );
  }

  /** Every call that could be made to fail, one point per call. */
  faultPoints(): FaultPoint[] {
    return this.records.map(({ service, operation, attempt, resourceIds }) => ({ service, operation, attempt, resourceIds }));
  }
}

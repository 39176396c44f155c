/**
 * Small pieces the service models share: response metadata, deterministic ids, input checks.
 */
import { createAwsError, type ServiceName } from './errors.js';

/** What every SDK v3 output carries. */
export interface ResponseMetadata {
  readonly $metadata: { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number };
}

/** Adds SDK v3 response metadata to an output body. */
export function ok<T extends object>(body: T): T & ResponseMetadata {
  return { ...body, $metadata: { httpStatusCode: 200, requestId: 'simulated', attempts: 1, totalRetryDelay: 0 } };
}

/** An operation of a service model: SDK-shaped input in, SDK-shaped output out (or an AWS error thrown). */
export type OperationHandler = (input: Record<string, unknown>) => object;

/** A service's operations by PascalCase name. */
export type OperationTable = Readonly<Record<string, OperationHandler>>;

/** Throws an AWS service error. */
export function fail(service: ServiceName, code: string, message: string): never {
  throw createAwsError(service, code, message);
}

/** Deterministic ids, so two simulations of the same scenario produce the same trace. */
export class IdGenerator {
  private counter = 0;

  /** `i-0e5a…`, `ami-0e5a…`: an EC2-looking id with 17 hex digits. */
  ec2(prefix: string): string {
    this.counter += 1;
    return `${prefix}-0e5a${this.counter.toString(16).padStart(13, '0')}`;
  }

  /** A UUID-looking id (command ids, execution ids). */
  uuid(): string {
    this.counter += 1;
    const hex = this.counter.toString(16).padStart(12, '0');
    return `5e5a0000-0000-4000-8000-${hex}`;
  }
}

/** Reads a required string field of an API input, or throws the service's MissingParameter error. */
export function requireString(service: ServiceName, input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') fail(service, service === 'ec2' ? 'MissingParameter' : 'ValidationException', `The request must contain the parameter ${field}`);
  return value;
}

/** Reads an optional list of strings, refusing anything else (as the SDK's serializer would). */
export function stringList(service: ServiceName, input: Record<string, unknown>, field: string): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    fail(service, service === 'ec2' ? 'InvalidParameterValue' : 'ValidationException', `Invalid type for parameter ${field}: expected a list of strings`);
  }
  return value as string[];
}

/** Reads an `{ Value: boolean }` attribute value, refusing a bare boolean as botocore does. */
export function attributeBoolean(input: Record<string, unknown>, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value) && typeof (value as { Value?: unknown }).Value === 'boolean') {
    return (value as { Value: boolean }).Value;
  }
  return fail('ec2', 'InvalidParameterValue', `Invalid type for parameter ${field}: expected a structure {"Value": true|false}, got ${JSON.stringify(value)}`);
}

/** A deep copy that keeps Dates, so callers cannot change the model through an output. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Reading action inputs with clear refusals: an input of the wrong shape fails the step with a
 * message naming the input.
 */
import { InvalidInputError } from '../errors.js';

type Inputs = Readonly<Record<string, unknown>>;

export function requiredString(inputs: Inputs, name: string): string {
  const value = inputs[name];
  if (typeof value !== 'string' || value === '') throw new InvalidInputError(`Input ${name} is required and must be a non-empty string`);
  return value;
}

export function optionalString(inputs: Inputs, name: string): string | undefined {
  const value = inputs[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(`Input ${name} must be a string`);
  return value;
}

export function requiredStringList(inputs: Inputs, name: string): string[] {
  const value = inputs[name];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw new InvalidInputError(`Input ${name} is required and must be a list of strings`);
  }
  return list as string[];
}

export function optionalBoolean(inputs: Inputs, name: string): boolean | undefined {
  const value = inputs[name];
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new InvalidInputError(`Input ${name} must be a boolean`);
}

/** Inputs that are not the action's own: the API parameters of aws:executeAwsApi and friends. */
export function apiParameters(inputs: Inputs, own: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([key]) => !own.includes(key)));
}

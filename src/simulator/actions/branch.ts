/**
 * `aws:branch`: the first choice that holds sends control to its `NextStep`; when none holds,
 * `Default`; without `Default`, the next step of the document (AWS documents this fallback).
 */
import { InvalidInputError } from '../errors.js';
import { renderAsText } from '../variables.js';
import type { AutomationAction } from './types.js';

/** The comparison operators of aws:branch. */
export const BRANCH_OPERATORS = [
  'StringEquals',
  'EqualsIgnoreCase',
  'StartsWith',
  'EndsWith',
  'Contains',
  'NumericEquals',
  'NumericGreater',
  'NumericLesser',
  'NumericGreaterOrEquals',
  'NumericLesserOrEquals',
  'BooleanEquals',
] as const;
type Operator = (typeof BRANCH_OPERATORS)[number];

function toNumber(value: unknown, operator: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (Number.isNaN(number)) throw new InvalidInputError(`${operator} needs numbers, got ${JSON.stringify(value)}`);
  return number;
}

function toBoolean(value: unknown, operator: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new InvalidInputError(`${operator} needs booleans, got ${JSON.stringify(value)}`);
}

function compare(operator: Operator, variable: unknown, operand: unknown): boolean {
  switch (operator) {
    case 'StringEquals':
      return renderAsText(variable) === renderAsText(operand);
    case 'EqualsIgnoreCase':
      return renderAsText(variable).toLowerCase() === renderAsText(operand).toLowerCase();
    case 'StartsWith':
      return renderAsText(variable).startsWith(renderAsText(operand));
    case 'EndsWith':
      return renderAsText(variable).endsWith(renderAsText(operand));
    case 'Contains':
      // Unconfirmed for lists: a StringList variable "contains" an operand that is one of its items.
      return Array.isArray(variable) ? variable.map(renderAsText).includes(renderAsText(operand)) : renderAsText(variable).includes(renderAsText(operand));
    case 'NumericEquals':
      return toNumber(variable, operator) === toNumber(operand, operator);
    case 'NumericGreater':
      return toNumber(variable, operator) > toNumber(operand, operator);
    case 'NumericLesser':
      return toNumber(variable, operator) < toNumber(operand, operator);
    case 'NumericGreaterOrEquals':
      return toNumber(variable, operator) >= toNumber(operand, operator);
    case 'NumericLesserOrEquals':
      return toNumber(variable, operator) <= toNumber(operand, operator);
    case 'BooleanEquals':
      return toBoolean(variable, operator) === toBoolean(operand, operator);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Evaluates one condition: `Variable` + one operator, or `And` / `Or` (lists) / `Not` (one condition). */
export function evaluateCondition(condition: unknown): boolean {
  if (!isRecord(condition)) throw new InvalidInputError(`A branch condition must be a map, got ${JSON.stringify(condition)}`);
  if ('And' in condition || 'Or' in condition) {
    const key = 'And' in condition ? 'And' : 'Or';
    const list = condition[key];
    if (!Array.isArray(list) || list.length === 0) throw new InvalidInputError(`${key} needs a non-empty list of conditions`);
    return key === 'And' ? list.every(evaluateCondition) : list.some(evaluateCondition);
  }
  if ('Not' in condition) {
    const inner = condition['Not'];
    // AWS writes Not with a one-item list; a bare map is accepted too.
    const single = Array.isArray(inner) ? (inner.length === 1 ? inner[0] : undefined) : inner;
    if (single === undefined) throw new InvalidInputError('Not takes exactly one condition');
    return !evaluateCondition(single);
  }
  const operators = BRANCH_OPERATORS.filter((op) => op in condition);
  const operator = operators[0];
  if (operator === undefined || operators.length > 1) {
    throw new InvalidInputError(`A branch condition needs exactly one operator of ${BRANCH_OPERATORS.join(', ')}, And, Or, Not; got ${Object.keys(condition).join(', ')}`);
  }
  if (!('Variable' in condition)) throw new InvalidInputError(`Condition ${operator} needs a Variable`);
  return compare(operator, condition['Variable'], condition[operator]);
}

export const branch: AutomationAction = {
  name: 'aws:branch',
  run(inputs) {
    const choices = inputs['Choices'];
    if (!Array.isArray(choices) || choices.length === 0) throw new InvalidInputError('Input Choices is required and must be a non-empty list');
    for (const choice of choices) {
      if (!isRecord(choice) || typeof choice['NextStep'] !== 'string') throw new InvalidInputError('Every choice needs a NextStep');
      const { NextStep: nextStep, ...condition } = choice;
      if (evaluateCondition(condition)) return { outputs: {}, nextStep: nextStep as string };
    }
    const fallback = inputs['Default'];
    return { outputs: {}, nextStep: typeof fallback === 'string' ? fallback : undefined };
  },
};

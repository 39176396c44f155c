/**
 * `{{ }}` substitution and output selectors.
 *
 * A string that is exactly one `{{ reference }}` takes the referenced value with its own type (a
 * StringList stays a list); a reference inside a longer string is rendered as text. References are
 * parameters (`{{ InstanceId }}`), step outputs (`{{ stopInstance.State }}`) and the system
 * variables `automation:EXECUTION_ID`, `global:ACCOUNT_ID`, `global:REGION`, `global:DATE`,
 * `global:DATE_TIME`, `global:AWS_PARTITION`. Anything else is refused, never left in place.
 */
import type { OutputType } from './document.js';
import { VariableError } from './errors.js';
import { renderAsText } from './render-text.js';

export { renderAsText };

/** What `{{ }}` references can see. */
export interface VariableScope {
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Outputs of the steps that ran, by step name then output name. */
  readonly stepOutputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** `automation:…` and `global:…` values. */
  readonly system: Readonly<Record<string, string>>;
}

const WHOLE_REFERENCE = /^\{\{\s*([^{}]+?)\s*\}\}$/;
const ANY_REFERENCE = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** Looks one reference up. */
export function resolveReference(reference: string, scope: VariableScope): unknown {
  if (reference.includes(':')) {
    if (reference.startsWith('ssm:')) throw new VariableError(`{{ ${reference} }}: Parameter Store references are not modelled by the simulator`);
    const value = scope.system[reference];
    if (value === undefined) throw new VariableError(`{{ ${reference} }}: unknown system variable`);
    return value;
  }
  if (reference in scope.parameters) return scope.parameters[reference];
  const dot = reference.indexOf('.');
  if (dot > 0) {
    const stepName = reference.slice(0, dot);
    const outputName = reference.slice(dot + 1);
    const outputs = scope.stepOutputs.get(stepName);
    if (outputs === undefined) throw new VariableError(`{{ ${reference} }}: step ${stepName} has not run (or does not exist)`);
    if (!(outputName in outputs) || outputs[outputName] === undefined) throw new VariableError(`{{ ${reference} }}: step ${stepName} has no output ${outputName}`);
    return outputs[outputName];
  }
  throw new VariableError(`{{ ${reference} }}: no parameter ${reference}`);
}

/** Replaces every `{{ }}` in a value (strings, lists and maps, recursively). */
export function substitute(value: unknown, scope: VariableScope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_REFERENCE.exec(value.trim());
    if (whole?.[1] !== undefined) return resolveReference(whole[1], scope);
    return value.replace(ANY_REFERENCE, (_match, reference: string) => renderAsText(resolveReference(reference, scope)));
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, scope));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, scope)]));
  }
  return value;
}

type Segment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'all' } | { kind: 'deep'; key: string };

function parseSelector(selector: string): Segment[] {
  if (!selector.startsWith('$')) throw new VariableError(`Selector ${selector} must start with $`);
  const segments: Segment[] = [];
  const token = /\.\.([A-Za-z0-9_-]+)|\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\.\*|\['([^']+)'\]|\["([^"]+)"\]/y;
  let position = 1;
  while (position < selector.length) {
    token.lastIndex = position;
    const match = token.exec(selector);
    if (match === null) throw new VariableError(`Selector ${selector} is not valid at position ${position}`);
    if (match[1] !== undefined) segments.push({ kind: 'deep', key: match[1] });
    else if (match[2] !== undefined) segments.push({ kind: 'key', key: match[2] });
    else if (match[3] !== undefined) segments.push({ kind: 'index', index: Number.parseInt(match[3], 10) });
    else if (match[4] !== undefined || match[5] !== undefined) segments.push({ kind: 'key', key: (match[4] ?? match[5]) as string });
    else segments.push({ kind: 'all' });
    position = token.lastIndex;
  }
  return segments;
}

function descendants(node: unknown, key: string, into: unknown[]): void {
  if (Array.isArray(node)) {
    for (const item of node) descendants(item, key, into);
  } else if (node !== null && typeof node === 'object' && !(node instanceof Date)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) into.push(v);
      descendants(v, key, into);
    }
  }
}

/**
 * Selects a value with a JSONPath subset: `$.a.b[0].c`, `$['a']`, `$.list[*].x`, `$..key`.
 * Returns undefined when nothing matches. Once a wildcard or deep scan is used the result is a list.
 */
export function select(data: unknown, selector: string): unknown {
  let nodes: unknown[] = [data];
  let multiple = false;
  for (const segment of parseSelector(selector)) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (segment.kind === 'key') {
        if (node !== null && typeof node === 'object' && !Array.isArray(node) && segment.key in node) next.push((node as Record<string, unknown>)[segment.key]);
      } else if (segment.kind === 'index') {
        if (Array.isArray(node) && segment.index < node.length) next.push(node[segment.index]);
      } else if (segment.kind === 'all') {
        multiple = true;
        if (Array.isArray(node)) next.push(...node);
        else if (node !== null && typeof node === 'object') next.push(...Object.values(node));
      } else {
        multiple = true;
        descendants(node, segment.key, next);
      }
    }
    nodes = next.filter((n) => n !== undefined);
  }
  if (multiple) return nodes.flatMap((n) => (Array.isArray(n) ? n : [n]));
  return nodes[0];
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

/**
 * Converts a selected value to an output's declared type, or throws a {@link VariableError}
 * saying which output could not be converted.
 */
export function toOutputType(value: unknown, type: OutputType, outputName: string): unknown {
  const refuse = (): never => {
    throw new VariableError(`Output ${outputName}: cannot convert ${JSON.stringify(value)} to ${type}`);
  };
  switch (type) {
    case 'String':
      return scalarText(value) ?? refuse();
    case 'Integer': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number.parseInt(value, 10) : Number.NaN;
      return Number.isInteger(number) ? number : refuse();
    }
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return refuse();
    case 'StringList':
      if (!Array.isArray(value)) return refuse();
      return value.map((item) => scalarText(item) ?? refuse());
    case 'StringMap':
      return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) ? value : refuse();
    case 'MapList':
      return Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v)) ? value : refuse();
  }
}

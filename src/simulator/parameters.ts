/**
 * Runbook parameters: defaults, types, `allowedPattern`, `allowedValues`. Everything is checked
 * before the first step runs; a problem is refused with a {@link ParameterError} naming the
 * parameter. The AWS resource types (`AWS::EC2::Instance::Id`, `List<AWS::IAM::Role::Arn>`...)
 * take strings like String and StringList, and each value must have the resource's form.
 */
import { awsParameterType, isStringListType, isStringType, type AutomationDocument, type ParameterDefinition } from './document.js';
import { ParameterError } from './errors.js';

/** Parameter values after checking, by name. */
export type ParameterValues = Readonly<Record<string, unknown>>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

function coerce(name: string, definition: ParameterDefinition, value: unknown): unknown {
  const wrong = (): never => {
    throw new ParameterError(name, `expected a ${definition.type}, got ${JSON.stringify(value)}`);
  };
  if (isStringType(definition.type)) return typeof value === 'string' ? value : wrong();
  if (isStringListType(definition.type)) {
    if (typeof value === 'string') return [value];
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : wrong();
  }
  switch (definition.type) {
    case 'Integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number.parseInt(value, 10);
      return wrong();
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return wrong();
    case 'StringMap':
      return isPlainObject(value) ? value : wrong();
    case 'MapList':
      return Array.isArray(value) && value.every(isPlainObject) ? value : wrong();
    default:
      return wrong();
  }
}

function check(name: string, definition: ParameterDefinition, value: unknown): void {
  const items = Array.isArray(value) && isStringListType(definition.type) ? (value as string[]) : [value];
  const resource = awsParameterType(definition.type);
  if (resource !== undefined) {
    // Unconfirmed: an empty value is let through, as AWS's own runbooks default optional
    // AWS::IAM::Role::Arn parameters to ''.
    for (const item of items) {
      if (item !== '' && !resource.pattern.test(String(item))) throw new ParameterError(name, `value ${JSON.stringify(item)} is not a valid ${definition.type.replace(/^List<(.*)>$/, '$1')} (${resource.pattern.source})`);
    }
  }
  if (definition.allowedValues !== undefined) {
    for (const item of items) {
      if (!definition.allowedValues.some((allowed) => String(allowed) === String(item))) {
        throw new ParameterError(name, `value ${JSON.stringify(item)} is not one of the allowed values ${JSON.stringify(definition.allowedValues)}`);
      }
    }
  }
  if (definition.allowedPattern !== undefined && (isStringType(definition.type) || isStringListType(definition.type))) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(definition.allowedPattern);
    } catch (error) {
      throw new ParameterError(name, `allowedPattern ${definition.allowedPattern} is not a valid regular expression`, { cause: error });
    }
    // SSM documents anchor their patterns (^...$) themselves; an unanchored pattern matches anywhere.
    for (const item of items) {
      if (!pattern.test(String(item))) throw new ParameterError(name, `value ${JSON.stringify(item)} does not match allowedPattern ${definition.allowedPattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (definition.minItems !== undefined && value.length < definition.minItems) throw new ParameterError(name, `needs at least ${definition.minItems} items, got ${value.length}`);
    if (definition.maxItems !== undefined && value.length > definition.maxItems) throw new ParameterError(name, `takes at most ${definition.maxItems} items, got ${value.length}`);
  }
  if (typeof value === 'string') {
    if (definition.minChars !== undefined && value.length < definition.minChars) throw new ParameterError(name, `needs at least ${definition.minChars} characters`);
    if (definition.maxChars !== undefined && value.length > definition.maxChars) throw new ParameterError(name, `takes at most ${definition.maxChars} characters`);
  }
}

/**
 * Applies defaults and checks every parameter. Refuses a missing parameter without default, a
 * value of the wrong type, one outside `allowedValues` or not matching `allowedPattern`, and a
 * supplied parameter the document does not declare. Defaults are checked like supplied values
 * (AWS's own documents allow their empty default with `^$|...` patterns).
 */
export function resolveParameters(document: AutomationDocument, supplied: Readonly<Record<string, unknown>>): ParameterValues {
  const declared = document.content.parameters;
  for (const name of Object.keys(supplied)) {
    if (!(name in declared)) throw new ParameterError(name, `is not declared by document ${document.name}`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(declared)) {
    const given = supplied[name];
    const raw = given !== undefined ? given : definition.default;
    if (raw === undefined) throw new ParameterError(name, 'is required and has no default');
    const value = coerce(name, definition, raw);
    check(name, definition, value);
    values[name] = value;
  }
  return values;
}

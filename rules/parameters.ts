/**
 * Rule parameters, as AWS Config passes them: a JSON object of strings (`InputParameters`, at
 * most 1024 characters in total). Every rule declares a zod object whose fields each have a
 * default and a `.describe()` text naming the accepted form; {@link parseRuleParameters} turns
 * any mistake into one message that names the parameter and that form.
 *
 * zod is the one library rules/ may import: it is pure (no I/O, no clock).
 */
import * as z from 'zod';

export type ParameterParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string; readonly parameters: readonly string[] };

/** The shared `exemptionTagKey` parameter: a tag key as EC2 allows it (1–128 characters). */
export const exemptionTagKeyParameter = z
  .string()
  .min(1)
  .max(128)
  .default('ena-guard:exempt')
  .describe('a tag key of 1 to 128 characters (default ena-guard:exempt)');

/** A compliance choice parameter such as `enaIncapableTypes` or `unknownDriver`. */
export function complianceChoiceParameter<const D extends 'NON_COMPLIANT' | 'NOT_APPLICABLE'>(defaultValue: D) {
  return z
    .enum(['NON_COMPLIANT', 'NOT_APPLICABLE'])
    .default(defaultValue)
    .describe(`NON_COMPLIANT or NOT_APPLICABLE (default ${defaultValue})`);
}

/** A boolean as Config passes it (the string "true" or "false"); a JSON boolean is accepted too. */
export function booleanParameter(defaultValue: boolean) {
  return z
    .union([z.boolean(), z.stringbool({ truthy: ['true'], falsy: ['false'] })])
    .default(defaultValue)
    .describe(`true or false (default ${defaultValue})`);
}

/**
 * Validates raw parameters against a rule's schema. Values are trimmed and an empty value counts
 * as absent (the Config console sends "" for a parameter left blank), so the default applies.
 */
export function parseRuleParameters<S extends z.ZodObject>(
  schema: S,
  raw: Readonly<Record<string, unknown>> | undefined,
): ParameterParseResult<z.output<S>> {
  const cleaned: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    const trimmed = typeof value === 'string' ? value.trim() : value;
    if (trimmed !== '' && trimmed !== null && trimmed !== undefined) cleaned[key] = trimmed;
  }
  const result = z.strictObject(schema.shape).safeParse(cleaned);
  if (result.success) return { ok: true, value: result.data as z.output<S> };

  const accepted = Object.keys(schema.shape).sort();
  const problems: string[] = [];
  const parameters: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        parameters.push(key);
        problems.push(`"${key}" is not a parameter of this rule (accepted: ${accepted.join(', ')})`);
      }
      continue;
    }
    const name = String(issue.path[0] ?? '');
    const field = (schema.shape as Record<string, z.ZodType>)[name];
    const form = field?.description ?? issue.message;
    parameters.push(name);
    problems.push(`"${name}" must be ${form} (got ${JSON.stringify(cleaned[name])})`);
  }
  return { ok: false, message: `Invalid rule parameters: ${problems.join('; ')}`, parameters };
}

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

/**
 * How a rule parameter appears in the template: the CloudFormation parameter the stack's user
 * sets, whose value reaches the rule's `InputParameters` unchanged. Attached to the parameter's
 * zod schema through {@link templateForms}, so the schema and its template form are declared in
 * one place; the registry conformance test checks that both accept and refuse the same samples.
 */
export interface TemplateParameterForm {
  /** What the parameter does, for the template's Description and the docs' tables. */
  readonly summary: string;
  /** The default as Config passes it (a string); parsing it gives the schema's own default. */
  readonly default: string;
  readonly type: 'String' | 'Number';
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minValue?: number;
  readonly maxValue?: number;
  /** Values the rule accepts and values it refuses; both the schema and the template form are tested on them. */
  readonly samples: { readonly accepted: readonly string[]; readonly refused: readonly string[] };
}

/** zod's registry of template forms: `templateForms.get(schema)` for any rule parameter. */
export const templateForms = z.registry<TemplateParameterForm>();

/** The template form of a rule parameter; throws for a parameter declared without one. */
export function templateFormOf(schema: z.ZodType, name: string): TemplateParameterForm {
  const form = templateForms.get(schema);
  if (!form) throw new Error(`Rule parameter ${name} has no template form: declare it with withTemplateForm().`);
  return form;
}

/** Registers `form` for `schema` and returns the schema, so declarations read as one expression. */
export function withTemplateForm<S extends z.ZodType>(schema: S, form: TemplateParameterForm): S {
  templateForms.add(schema, form);
  return schema;
}

/**
 * What a tag key may hold: 1 to 128 characters, none of them a quote, a backslash or a control
 * character, which EC2 never allows in a key either. The stack writes the exemption key into an
 * IAM policy's JSON (infra/base.yaml), so the template refuses anything that could break out of it.
 */
export const TAG_KEY_PATTERN = '^[^"\\\\\\x00-\\x1f\\x7f]{1,128}$';

/** A tag key as EC2 allows it: 1 to 128 characters. */
export function tagKeyParameter(defaultValue: string, summary: string) {
  return withTemplateForm(
    z.string().regex(new RegExp(TAG_KEY_PATTERN), 'a tag key has no quote, backslash or control character').default(defaultValue).describe(`a tag key of 1 to 128 characters (default ${defaultValue})`),
    {
      summary,
      default: defaultValue,
      type: 'String',
      minLength: 1,
      maxLength: 128,
      allowedPattern: TAG_KEY_PATTERN,
      samples: { accepted: ['ena-guard:exempt', 'Owner', 'a', 'k'.repeat(128), 'équipe:exempté'], refused: ['k'.repeat(129), 'a"b', 'a\\b', 'x\ny'] },
    },
  );
}

/**
 * The shared `exemptionTagKey` parameter: a tag key as EC2 allows it (1–128 characters). The
 * format of the tag's value is defined once, in exemption.ts.
 */
export const exemptionTagKeyParameter = tagKeyParameter(
  'ena-guard:exempt',
  'Tag key that exempts a resource. Its value must give a reason (quoted in the annotation) and may end the exemption with until=YYYY-MM-DD (inclusive, UTC).',
);

/** A compliance choice parameter such as `enaIncapableTypes` or `unknownDriver`. */
export function complianceChoiceParameter<const D extends 'NON_COMPLIANT' | 'NOT_APPLICABLE'>(defaultValue: D, summary: string) {
  const values = ['NON_COMPLIANT', 'NOT_APPLICABLE'] as const;
  return withTemplateForm(z.enum(values).default(defaultValue).describe(`NON_COMPLIANT or NOT_APPLICABLE (default ${defaultValue})`), {
    summary,
    default: defaultValue,
    type: 'String',
    allowedValues: values,
    samples: { accepted: [...values], refused: ['COMPLIANT', 'non_compliant', 'INSUFFICIENT_DATA'] },
  });
}

/** A boolean as Config passes it (the string "true" or "false"); a JSON boolean is accepted too. */
export function booleanParameter(defaultValue: boolean, summary: string) {
  return withTemplateForm(
    z.union([z.boolean(), z.stringbool({ truthy: ['true'], falsy: ['false'], case: 'sensitive' })]).default(defaultValue).describe(`true or false (default ${defaultValue})`),
    {
      summary,
      default: String(defaultValue),
      type: 'String',
      allowedValues: ['true', 'false'],
      samples: { accepted: ['true', 'false'], refused: ['yes', 'TRUE', '1'] },
    },
  );
}

/** A whole number within bounds; CloudFormation checks the bounds with MinValue/MaxValue. */
export function wholeNumberParameter(defaultValue: number, min: number, max: number, summary: string) {
  return withTemplateForm(
    z.coerce.number().int().min(min).max(max).default(defaultValue).describe(`a whole number from ${min} to ${max} (default ${defaultValue})`),
    {
      summary,
      default: String(defaultValue),
      type: 'Number',
      minValue: min,
      maxValue: max,
      samples: { accepted: [String(min), String(max)], refused: [String(min - 1), String(max + 1)] },
    },
  );
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

/**
 * SSM Automation documents (schema 0.3): the zod schema and the loader. A document is checked
 * once, here; the interpreter then works on {@link AutomationDocument}.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { CommandDocumentError, DocumentError } from './errors.js';

/** The basic parameter types of schema 0.3. */
export const BASIC_PARAMETER_TYPES = ['String', 'StringList', 'Integer', 'Boolean', 'MapList', 'StringMap'] as const;

/**
 * The AWS resource types an Automation parameter may have, as AWS's own runbooks use them, with
 * the form of value each takes: AWS Systems Manager User Guide, "Creating input parameters that
 * populate AWS resources" (the regular expressions are AWS's). A `List<…>` type takes a list of
 * such values, like StringList; the others take one, like String.
 */
export const AWS_PARAMETER_TYPES = {
  'AWS::EC2::Instance::Id': { list: false, pattern: /^m?i-([a-z0-9]{8}|[a-z0-9]{17})$/ },
  'List<AWS::EC2::Instance::Id>': { list: true, pattern: /^m?i-([a-z0-9]{8}|[a-z0-9]{17})$/ },
  'AWS::S3::Bucket::Name': { list: false, pattern: /^[0-9a-z][a-z0-9\-.]{3,63}$/ },
  'List<AWS::S3::Bucket::Name>': { list: true, pattern: /^[0-9a-z][a-z0-9\-.]{3,63}$/ },
  'AWS::IAM::Role::Arn': { list: false, pattern: /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:role\/.*$/ },
  'List<AWS::IAM::Role::Arn>': { list: true, pattern: /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:role\/.*$/ },
} as const satisfies Readonly<Record<string, { readonly list: boolean; readonly pattern: RegExp }>>;
export type AwsParameterType = keyof typeof AWS_PARAMETER_TYPES;

/** Every parameter type a schema 0.3 document may declare. */
export const PARAMETER_TYPES = [...BASIC_PARAMETER_TYPES, ...(Object.keys(AWS_PARAMETER_TYPES) as AwsParameterType[])] as const;
export type ParameterType = (typeof BASIC_PARAMETER_TYPES)[number] | AwsParameterType;

/** The AWS resource type's value form, when `type` is one ({@link AWS_PARAMETER_TYPES}). */
export function awsParameterType(type: ParameterType): (typeof AWS_PARAMETER_TYPES)[AwsParameterType] | undefined {
  return Object.hasOwn(AWS_PARAMETER_TYPES, type) ? AWS_PARAMETER_TYPES[type as AwsParameterType] : undefined;
}

/** True for the types whose value is a list of strings: StringList and the `List<AWS::…>` types. */
export function isStringListType(type: ParameterType): boolean {
  return type === 'StringList' || awsParameterType(type)?.list === true;
}

/** True for the types whose value is one string: String and the scalar AWS resource types. */
export function isStringType(type: ParameterType): boolean {
  return type === 'String' || awsParameterType(type)?.list === false;
}

/** The schema versions of Command documents (run on instances), which the simulator does not run. */
export const COMMAND_SCHEMA_VERSIONS: readonly string[] = ['1.2', '2.0', '2.2'];

/** The types a step output may declare. */
export const OUTPUT_TYPES = ['String', 'Integer', 'Boolean', 'StringList', 'StringMap', 'MapList'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

const STEP_NAME = /^[A-Za-z0-9_-]{1,100}$/;
const STEP_REF = /^step:([A-Za-z0-9_-]{1,100})$/;

const parameterSchema = z.strictObject({
  type: z.enum(PARAMETER_TYPES),
  description: z.string().optional(),
  default: z.unknown().optional(),
  allowedPattern: z.string().optional(),
  allowedValues: z.array(z.unknown()).optional(),
  minItems: z.number().int().nonnegative().optional(),
  maxItems: z.number().int().nonnegative().optional(),
  minChars: z.number().int().nonnegative().optional(),
  maxChars: z.number().int().nonnegative().optional(),
  displayType: z.string().optional(),
});

const stepOutputSchema = z.strictObject({
  Name: z.string().min(1),
  Selector: z.string().startsWith('$'),
  Type: z.enum(OUTPUT_TYPES),
});

const stepSchema = z.strictObject({
  name: z.string().regex(STEP_NAME, 'step names are 1-100 letters, digits, - or _'),
  action: z.string().min(1),
  description: z.string().optional(),
  inputs: z.record(z.string(), z.unknown()).default({}),
  outputs: z.array(stepOutputSchema).optional(),
  onFailure: z.string().regex(/^(Abort|Continue|step:[A-Za-z0-9_-]{1,100})$/, 'onFailure is Abort, Continue or step:<name>').optional(),
  onCancel: z.string().regex(/^(Abort|step:[A-Za-z0-9_-]{1,100})$/, 'onCancel is Abort or step:<name>').optional(),
  isEnd: z.boolean().optional(),
  nextStep: z.string().optional(),
  maxAttempts: z.number().int().min(1).optional(),
  timeoutSeconds: z.number().int().min(1).optional(),
  isCritical: z.boolean().optional(),
});

const documentSchema = z
  .strictObject({
    schemaVersion: z.literal('0.3'),
    description: z.string().optional(),
    assumeRole: z.string().optional(),
    parameters: z.record(z.string().regex(/^[A-Za-z0-9_]+$/, 'parameter names are letters, digits and _'), parameterSchema).default({}),
    mainSteps: z.array(stepSchema).min(1),
    outputs: z.array(z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/, 'outputs are <step>.<output>')).optional(),
    files: z.unknown().optional(),
  })
  .superRefine((doc, ctx) => {
    const names = new Set<string>();
    doc.mainSteps.forEach((step, index) => {
      if (names.has(step.name)) ctx.addIssue({ code: 'custom', path: ['mainSteps', index, 'name'], message: `duplicate step name ${step.name}` });
      names.add(step.name);
    });
    const mustExist = (target: string | undefined, path: (string | number)[]): void => {
      if (target !== undefined && !names.has(target)) ctx.addIssue({ code: 'custom', path, message: `refers to step ${target}, which does not exist` });
    };
    doc.mainSteps.forEach((step, index) => {
      mustExist(step.nextStep, ['mainSteps', index, 'nextStep']);
      mustExist(STEP_REF.exec(step.onFailure ?? '')?.[1], ['mainSteps', index, 'onFailure']);
      mustExist(STEP_REF.exec(step.onCancel ?? '')?.[1], ['mainSteps', index, 'onCancel']);
      if (step.action === 'aws:branch') {
        const choices = step.inputs['Choices'];
        if (Array.isArray(choices)) {
          choices.forEach((choice: unknown, c) => {
            const next = (choice as { NextStep?: unknown } | null)?.NextStep;
            mustExist(typeof next === 'string' ? next : undefined, ['mainSteps', index, 'inputs', 'Choices', c, 'NextStep']);
          });
        }
        const fallback = step.inputs['Default'];
        mustExist(typeof fallback === 'string' ? fallback : undefined, ['mainSteps', index, 'inputs', 'Default']);
      }
    });
  });

export type ParameterDefinition = z.infer<typeof parameterSchema>;
export type StepOutputDefinition = z.infer<typeof stepOutputSchema>;
export type StepDefinition = z.infer<typeof stepSchema>;
export type DocumentContent = z.infer<typeof documentSchema>;

/** A checked Automation document and the name it runs under. */
export interface AutomationDocument {
  readonly name: string;
  readonly content: DocumentContent;
  /** The file it came from, when loaded from disk. */
  readonly path?: string;
}

/** The step an `onFailure` / `onCancel` value sends control to, if it names one. */
export function stepReference(value: string | undefined): string | undefined {
  return STEP_REF.exec(value ?? '')?.[1];
}

/** Checks an already-parsed document object against schema 0.3; a Command document is refused with a {@link CommandDocumentError}. */
export function validateDocument(name: string, raw: unknown): AutomationDocument {
  const schemaVersion = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof schemaVersion === 'string' && COMMAND_SCHEMA_VERSIONS.includes(schemaVersion)) throw new CommandDocumentError(name, schemaVersion);
  const result = documentSchema.safeParse(raw);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`).join('; ');
    throw new DocumentError(name, `does not follow schema 0.3: ${detail}`, { cause: result.error });
  }
  return { name, content: result.data };
}

/** Parses a document from YAML or JSON text (JSON is YAML, so one parser reads both). */
export function parseDocument(name: string, text: string): AutomationDocument {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new DocumentError(name, `is neither valid YAML nor JSON: ${(error as Error).message}`, { cause: error });
  }
  return validateDocument(name, raw);
}

/** Loads a document from a `.yaml`, `.yml` or `.json` file; its name is the file name without extension. */
export async function loadDocument(path: string): Promise<AutomationDocument> {
  const name = basename(path, extname(path));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DocumentError(name, `cannot be read from ${path}`, { cause: error });
  }
  return { ...parseDocument(name, text), path };
}

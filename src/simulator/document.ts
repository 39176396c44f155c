/**
 * SSM Automation documents (schema 0.3): the zod schema and the loader. A document is checked
 * once, here; the interpreter then works on {@link AutomationDocument}.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { DocumentError } from './errors.js';

/** The parameter types of schema 0.3. */
export const PARAMETER_TYPES = ['String', 'StringList', 'Integer', 'Boolean', 'MapList', 'StringMap'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

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

/** Checks an already-parsed document object against schema 0.3. */
export function validateDocument(name: string, raw: unknown): AutomationDocument {
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

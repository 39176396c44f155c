/**
 * Rules every SSM document in automation-docs/ must follow, checked over the files as deployed:
 * AWS's own JSON schema for Automation documents, constrained parameters (tried with valid and
 * invalid samples), references that resolve, and failure paths that end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { documentsDir } from '../support/runbook-documents.js';

const directory = documentsDir();
const schemaPath = fileURLToPath(new URL('../../node_modules/aws-ssm-document-language-service/dist/schema.json', import.meta.url));

interface Parameter {
  readonly type: string;
  readonly default?: unknown;
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
}

interface Step {
  readonly name: string;
  readonly action: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: readonly { Name: string }[];
  readonly onFailure?: string;
  readonly onCancel?: string;
  readonly nextStep?: string;
  readonly isEnd?: boolean;
  readonly isCritical?: boolean;
}

interface AutomationDocument {
  readonly schemaVersion: string;
  readonly description?: string;
  readonly assumeRole?: string;
  readonly parameters?: Record<string, Parameter>;
  readonly mainSteps: readonly Step[];
  readonly outputs?: readonly string[];
}

const documents = readdirSync(directory)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => {
    const text = readFileSync(join(directory, name), 'utf8');
    return { name, text, document: parse(text) as AutomationDocument };
  });

/** CreateDocument refuses content over 64 KB (MaxDocumentSizeExceeded). */
const MAX_DOCUMENT_BYTES = 64 * 1024;
const automations = documents.filter(({ document }) => document.schemaVersion === '0.3');

/**
 * Valid and invalid samples for every parameter name a runbook uses. A runbook that adds a
 * parameter must add its samples here, which is the point: every input is tried both ways.
 */
const SAMPLES: Record<string, { valid: readonly string[]; invalid: readonly string[] }> = {
  CollectorDocumentName: {
    valid: ['EnaGuard-CollectEnaDriverInventory', 'team-a-EnaGuard-CollectEnaDriverInventory'],
    invalid: ['', 'AWS-RunShellScript', 'EnaGuard-CollectEnaDriverInventoryX', 'Team-EnaGuard-CollectEnaDriverInventory', 'team-a-AWS-RunShellScript'],
  },
  AssessLinuxDocumentName: {
    valid: ['EnaGuard-AssessEnaDriverLinux', 'team-a-EnaGuard-AssessEnaDriverLinux'],
    invalid: ['', 'AWS-RunShellScript', 'EnaGuard-AssessEnaDriverWindows', 'team-a-AWS-RunShellScript'],
  },
  AssessWindowsDocumentName: {
    valid: ['EnaGuard-AssessEnaDriverWindows', 'team-a-EnaGuard-AssessEnaDriverWindows'],
    invalid: ['', 'AWS-RunPowerShellScript', 'EnaGuard-AssessEnaDriverLinux'],
  },
  KernelUpdateDocumentName: {
    valid: ['EnaGuard-UpdateLinuxKernel', 'team-a-EnaGuard-UpdateLinuxKernel'],
    invalid: ['', 'AWS-RunShellScript', 'EnaGuard-UpdateLinuxKernelX'],
  },
  LinuxMinimumDriverVersion: { valid: ['2.10.0', '2.8.1g', '2.17.0'], invalid: ['', 'latest', "2.10.0'; reboot", '2.10.0 '] },
  WindowsMinimumDriverVersion: { valid: ['2.10.0', '2.4.0.0'], invalid: ['', '2.x', '2.4.0; reboot'] },
  SecurityFixDriverVersion: { valid: ['2.17.0'], invalid: ['', 'latest', "2.17.0'"] },
  RequireSecurityFixes: { valid: ['true', 'false'], invalid: ['yes', ''] },
  CheckKernelUpdate: { valid: ['true', 'false'], invalid: ['yes', ''] },
  KernelMinimums: {
    valid: ['', ' ', 'amzn=4.14.186 ', 'amzn=4.14.186,ubuntu:20.04=5.4.0-1025-aws', 'rocky:9=5.14.0-70.13.1.el9_0 '],
    invalid: ['amzn', 'amzn=latest', "amzn=4.14.186'; reboot; '", 'amzn=4.14.186;rhel=4.18.0'],
  },
  DefaultKernelMinimums: { valid: ['amzn=4.14.186,rhel:8.3=4.18.0-240.1.1.el8_3'], invalid: ["amzn=4.14'", 'amzn'] },
  KnownBadDriverVersions: { valid: ['', '2.2.11-2.6.0,2.8.1-2.8.3'], invalid: ['2.2.11', '2.2.11-2.6.0;reboot', "2.2.11-2.6.0'"] },
  DistributionParents: { valid: ['', 'rocky=rhel,ol=rhel'], invalid: ['rocky', 'Rocky=rhel', "rocky=rhel'"] },
  IdLikeParents: { valid: ['', 'rhel', 'rhel,suse'], invalid: ['RHEL', "rhel'", 'rhel fedora'] },
  RolledBackDriverVersions: { valid: ['', '2.2.4,2.5.0'], invalid: ['2.2.4;2.5.0', "2.5.0'", 'latest'] },
  WindowsDriverLimits: { valid: ['', '6.1<=2.2.3,10.0.20348>=2.4.0'], invalid: ['6.1=2.2.3', "6.1<=2.2.3'", '2008R2<=2.2.3'] },
  RunbookName: {
    valid: ['EnaGuard-ReplaceImageWithEna', 'team-a-EnaGuard-ReplaceImageWithEna'],
    invalid: ['', 'AWS-StopEC2Instance', 'EnaGuard-EnableEnaSupport', 'x EnaGuard-ReplaceImageWithEna'],
  },
  InstanceId: { valid: ['i-0123456789abcdef0', 'i-12345678'], invalid: ['', 'i-XYZ', 'i-0123456789abcdef0; reboot', 'vol-0123456789abcdef0'] },
  AutomationAssumeRole: {
    valid: ['', 'arn:aws:iam::123456789012:role/EnaGuardRemediation', 'arn:aws-us-gov:iam::123456789012:role/path/Role'],
    invalid: ['EnaGuardRemediation', 'arn:aws:iam::12345:role/x', 'arn:aws:iam::123456789012:user/alice'],
  },
  CreateBackupImage: { valid: ['true', 'false'], invalid: ['yes', 'TRUE', ''] },
  AcceptMissingDriverEvidence: { valid: ['true', 'false'], invalid: ['yes', ''] },
  ResourceId: {
    valid: ['', 'ami-0123abcd', 'ami-0123456789abcdef0', 'lt-0123456789abcdef0'],
    invalid: ['ami-XYZ', 'lt-0123', 'i-0123456789abcdef0', 'ami-0123456789abcdef0; rm', 'arn:aws:ec2:us-east-1:123456789012:image/ami-0123456789abcdef0'],
  },
  ImageId: { valid: ['', 'ami-0123456789abcdef0'], invalid: ['ami-XYZ', 'snap-0123456789abcdef0', 'ami-0123456789abcdef0 '] },
  LaunchTemplateId: { valid: ['', 'lt-0123456789abcdef0'], invalid: ['lt-XYZ', 'my-template', 'ami-0123456789abcdef0'] },
  BootTestSubnetId: { valid: ['', 'subnet-0123456789abcdef0'], invalid: ['subnet-XYZ', 'vpc-0123456789abcdef0'] },
  BootTestInstanceType: { valid: ['m5.large', 'c6i.xlarge', 'm7g.2xlarge'], invalid: ['', 'm5 large', 'm5.large; rm -rf /'] },
  MakeNewVersionDefault: { valid: ['true', 'false'], invalid: ['yes', ''] },
  NameSuffix: { valid: ['-ena'], invalid: ['', 'with space', '$(reboot)'] },
  TargetWindowsDriverVersion: { valid: ['', '2.6.0', '2.11.0'], invalid: ['latest', '2.6', '2.6.0; reboot'] },
  AllowReboot: { valid: ['true', 'false'], invalid: ['yes', ''] },
  ExemptionTagKey: { valid: ['ena-guard:exempt', 'Exempt', 'équipe:exempté', 'a b/c=d+e-f@g_h.i'], invalid: ['', 'a"b', 'a\\b', 'x\ny', 'k'.repeat(129)] },
  LockTableName: { valid: ['EnaGuard-Locks', 'team-a-EnaGuard-Locks'], invalid: ['', 'OtherTable', 'EnaGuard-LocksX', 'Team-EnaGuard-Locks'] },
  DriverEvidenceDocumentName: {
    valid: ['EnaGuard-CheckEnaDriverEvidence', 'team-a-EnaGuard-CheckEnaDriverEvidence'],
    invalid: ['', 'AWS-RunShellScript', 'AWS-RunPowerShellScript', 'team-a-AWS-RunShellScript', 'EnaGuard-CheckEnaDriverEvidenceX'],
  },
  InventoryRefreshDocumentName: {
    valid: ['EnaGuard-RefreshEnaDriverInventory', 'team-a-EnaGuard-RefreshEnaDriverInventory'],
    invalid: ['', 'AWS-RefreshAssociation', 'AWS-RunShellScript', 'EnaGuard-RefreshEnaDriverInventoryX'],
  },
  InventoryAssociationId: {
    valid: ['', '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d'],
    invalid: ['abc', '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d ', '0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D', '0b1c2d3e4f504a6b8c7d9e0f1a2b3c4d', '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d; reboot'],
  },
};

function accepts(parameter: Parameter, value: string): boolean {
  if (parameter.allowedValues) return parameter.allowedValues.includes(value);
  return new RegExp(parameter.allowedPattern ?? '(?!)').test(value);
}

/** Every `{{ … }}` reference in a value, however deep. */
function references(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((match) => match[1] ?? '');
  if (Array.isArray(value)) return value.flatMap(references);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(references);
  return [];
}

/** Outputs an action provides without declaring them (AWS Systems Manager action reference). */
const BUILT_IN_OUTPUTS: Record<string, readonly string[]> = {
  'aws:createImage': ['ImageId', 'ImageState'],
  'aws:runCommand': ['CommandId', 'Status', 'ResponseCode', 'Output'],
  'aws:approve': ['ApprovalStatus', 'ApproverDecisions'],
  'aws:executeAutomation': ['ExecutionId', 'Status', 'Output'],
};

const SYSTEM_VARIABLES = ['automation:EXECUTION_ID', 'global:ACCOUNT_ID', 'global:REGION', 'global:DATE', 'global:DATE_TIME', 'global:AWS_PARTITION'];

/** Actions and APIs that change something: a failure there must never be skipped silently. */
function changesSomething(step: Step): boolean {
  if (['aws:changeInstanceState', 'aws:createImage', 'aws:runCommand', 'aws:executeAutomation'].includes(step.action)) return true;
  if (step.action !== 'aws:executeAwsApi') return false;
  return !/^(Describe|List|Get)/.test(String(step.inputs?.Api ?? ''));
}

/**
 * The document as the schema (aws-ssm-document-language-service 1.0.0) can judge it. The schema
 * predates two things the Systems Manager User Guide documents and the runbooks use: the
 * `onCancel` property shared by all actions ("Properties shared by all actions"), and the
 * `python3.11` runtime of aws:executeScript (Python 3.6-3.8 can no longer be run since
 * 2025-02-18; AWS recommends 3.11). Those two are masked, and only those.
 */
function withinSchemaVintage(document: AutomationDocument): AutomationDocument {
  const mainSteps = document.mainSteps.map((step) => {
    const { onCancel, ...rest } = step;
    expect(onCancel === undefined || /^(Abort|step:[A-Za-z0-9_-]+)$/.test(onCancel), `${step.name} onCancel ${String(onCancel)}`).toBe(true);
    if (step.action !== 'aws:executeScript') return rest;
    expect(step.inputs?.['Runtime'], `${step.name} runs on python3.11`).toBe('python3.11');
    return { ...rest, inputs: { ...step.inputs, Runtime: 'python3.7' } };
  });
  return { ...document, mainSteps };
}

/**
 * Steps that change something and may continue after a failure, each with the reason: nothing
 * else is allowed to.
 */
const CONTINUES_AFTER_FAILED_CHANGE: Readonly<Record<string, string>> = {
  releaseLock: 'the last step: a lock it could not delete is taken over by the next run once this execution has ended (docs/remediation-safety.md)',
};

function successor(document: AutomationDocument, index: number): string | undefined {
  const step = document.mainSteps[index];
  if (!step || step.isEnd) return undefined;
  return step.nextStep ?? document.mainSteps[index + 1]?.name;
}

describe('the automation documents', () => {
  it('are found', () => {
    expect(automations.map(({ name }) => name)).toContain('EnaGuard-EnableEnaSupport.yaml');
  });

  it.each(documents)('$name fits Systems Manager\'s 64 KB limit, as YAML and as JSON', ({ text, document }) => {
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_DOCUMENT_BYTES);
    expect(Buffer.byteLength(JSON.stringify(document))).toBeLessThan(MAX_DOCUMENT_BYTES);
  });
});

describe.each(automations)('$name', ({ name, document }) => {
  const parameters = document.parameters ?? {};
  const stepNames = new Set(document.mainSteps.map((step) => step.name));

  it('passes AWS\'s JSON schema for Automation documents', () => {
    const ajv = new Ajv({ unicodeRegExp: false, strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);

    const valid = validate(withinSchemaVintage(document));

    expect(validate.errors ?? [], name).toEqual([]);
    expect(valid).toBe(true);
  });

  it('describes itself in AWS\'s style and runs under AutomationAssumeRole', () => {
    expect(document.description).toMatch(/## What does this document do\?/);
    expect(document.description).toMatch(/## Input parameters/);
    expect(document.description).toMatch(/## Output parameters/);
    expect(document.assumeRole).toBe('{{ AutomationAssumeRole }}');
    expect(parameters.AutomationAssumeRole?.default).toBe('');
  });

  it('constrains every String parameter, and the constraint accepts the valid samples and refuses the invalid ones', () => {
    for (const [parameterName, parameter] of Object.entries(parameters)) {
      if (parameter.type !== 'String') continue;
      expect(parameter.allowedPattern ?? parameter.allowedValues, `${parameterName} has allowedPattern or allowedValues`).toBeDefined();
      const samples = SAMPLES[parameterName];
      expect(samples, `samples for ${parameterName} in this test`).toBeDefined();
      for (const value of samples?.valid ?? []) expect(accepts(parameter, value), `${parameterName} accepts ${JSON.stringify(value)}`).toBe(true);
      for (const value of samples?.invalid ?? []) expect(accepts(parameter, value), `${parameterName} refuses ${JSON.stringify(value)}`).toBe(false);
      if (parameter.default !== undefined) expect(accepts(parameter, String(parameter.default)), `${parameterName}'s default is allowed`).toBe(true);
    }
  });

  it('resolves every {{ }} reference to a parameter, a step output or a system variable', () => {
    const outputsOf = new Map(document.mainSteps.map((step) => [step.name, [...(step.outputs ?? []).map((output) => output.Name), ...(BUILT_IN_OUTPUTS[step.action] ?? [])]]));
    const used = [...references(document.mainSteps), ...references(document.assumeRole), ...(document.outputs ?? []).map((output) => output)];

    expect(used.length).toBeGreaterThan(0);
    for (const reference of used) {
      if (Object.hasOwn(parameters, reference) || SYSTEM_VARIABLES.includes(reference)) continue;
      const [stepName, outputName] = reference.split('.');
      expect(outputsOf.get(stepName ?? '') ?? [], `${reference} names a step output`).toContain(outputName);
    }
  });

  it('sends every failure to an existing step, and never skips a failed change', () => {
    for (const step of document.mainSteps) {
      for (const target of [step.onFailure, step.onCancel, step.nextStep]) {
        if (target === undefined || target === 'Abort' || target === 'Continue') continue;
        expect(stepNames.has(target.replace(/^step:/, '')), `${step.name} → ${target}`).toBe(true);
      }
      if (step.onFailure === 'Continue' && changesSomething(step) && !Object.hasOwn(CONTINUES_AFTER_FAILED_CHANGE, step.name)) {
        throw new Error(`${step.name} changes something and continues after a failure`);
      }
    }
  });

  it('ends every failure path: following a failure handler never loops', () => {
    const indexOf = new Map(document.mainSteps.map((step, index) => [step.name, index]));
    const handlers = document.mainSteps.flatMap((step) => (step.onFailure?.startsWith('step:') ? [step.onFailure.slice(5)] : []));

    expect(handlers.length).toBeGreaterThan(0);
    for (const handler of handlers) {
      const seen = new Set<string>();
      let current: string | undefined = handler;
      while (current !== undefined) {
        expect(seen.has(current), `the path from ${handler} loops at ${current}`).toBe(false);
        seen.add(current);
        current = successor(document, indexOf.get(current) ?? -1);
      }
      expect(seen.size).toBeGreaterThan(0);
    }
  });
});

/**
 * EnaGuard-UpdateEnaDriver's decisions, before and after the runbook was shrunk under Systems
 * Manager's 64 KB limit: the branch steps that were rewritten must send every input to the same
 * step as the steps they replace. The originals are kept here, verbatim, as the reference.
 *
 * The rewritten branches compare strings with StringEquals and StartsWith only. For such
 * comparisons every string behaves like one of finitely many representatives: a prefix p of some
 * compared literal (the string itself), or p followed by a character no literal has at that place
 * ("~"). So walking every combination of representatives is a proof, not a sample, for the
 * version strings; TargetWindowsDriverVersion takes one value of each class its allowedPattern
 * admits, and the platform one configuration of each Windows release class and of Linux.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_ACTIONS, substitute } from '../../src/simulator/index.js';
import { RUNBOOK_PATH } from './update-ena-driver-fixtures.js';

interface Step {
  readonly name: string;
  readonly action: string;
  readonly inputs: Record<string, unknown>;
}

/** The rewritten steps as they were in the 85 KB runbook (commit 3956d30). */
const ORIGINAL_STEPS = parse(`
- name: checkRequestOn2008R2
  action: aws:branch
  description: Windows Server 2008 R2 runs ENA drivers up to 2.2.3 (2.4.0 dropped it).
  onFailure: step:failPrecheck
  inputs:
    Choices:
      - NextStep: refuseAboveOsCap2008R2
        And:
          - Not:
              Variable: '{{ TargetWindowsDriverVersion }}'
              StringEquals: ''
          - Not:
              Or:
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '0.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '1.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '2.0.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '2.1.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: '2.2.0'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: '2.2.1'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: '2.2.2'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: '2.2.3'}
    Default: checkNoOpOn2008R2
- name: checkRequestOn2012
  action: aws:branch
  description: Windows Server 2012 and 2012 R2 run ENA drivers up to 2.6.0 (2.7.0 refuses to install).
  onFailure: step:failPrecheck
  inputs:
    Choices:
      - NextStep: refuseAboveOsCap2012
        And:
          - Not:
              Variable: '{{ TargetWindowsDriverVersion }}'
              StringEquals: ''
          - Not:
              Or:
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '0.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '1.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '2.0.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '2.1.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '2.2.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '2.3.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '2.4.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StartsWith: '2.5.'}
                - {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: '2.6.0'}
    Default: checkWindowsNoOp
- name: checkWindowsNoOp
  action: aws:branch
  description: Nothing is to do when the driver is the requested version or, by default, at least 2.4.0 and not rolled back.
  onFailure: step:failPrecheck
  inputs:
    Choices:
      - NextStep: reportNothingToDo
        And:
          - {Variable: '{{ readInventoryBefore.DriverPresent }}', StringEquals: 'true'}
          - Not: {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: ''}
          - Or:
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StringEquals: '{{ TargetWindowsDriverVersion }}'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StringEquals: '{{ TargetWindowsDriverVersion }}.0'}
      - NextStep: reportNothingToDo
        And:
          - {Variable: '{{ readInventoryBefore.DriverPresent }}', StringEquals: 'true'}
          - {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: ''}
          - Not:
              Or:
                - {Variable: '{{ readInventoryBefore.DriverVersion }}', StringEquals: '2.2.4'}
                - {Variable: '{{ readInventoryBefore.DriverVersion }}', StringEquals: '2.2.4.0'}
                - {Variable: '{{ readInventoryBefore.DriverVersion }}', StringEquals: '2.5.0'}
                - {Variable: '{{ readInventoryBefore.DriverVersion }}', StringEquals: '2.5.0.0'}
          - Or:
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.4'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.5'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.6'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.7'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.8'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.9'}
              - {And: [{Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.1'}, {Not: {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.1.'}}]}
              - {And: [{Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2'}, {Not: {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.'}}]}
              - {And: [{Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.3'}, {Not: {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.3.'}}]}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '3.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '4.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '5.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '6.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '7.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '8.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '9.'}
    Default: decideBackup
- name: checkLinuxNoOp
  action: aws:branch
  description: Nothing is to do with an out-of-tree driver of at least 2.2.10, or an in-tree driver on a kernel of 5.10 or later.
  onFailure: step:failPrecheck
  inputs:
    Choices:
      - NextStep: reportNothingToDo
        And:
          - {Variable: '{{ readInventoryBefore.DriverPresent }}', StringEquals: 'true'}
          - {Variable: '{{ readInventoryBefore.DriverBuild }}', StringEquals: out-of-tree}
          - Or:
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.3'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.4'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.5'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.6'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.7'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.8'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.9'}
              - {And: [{Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.1'}, {Not: {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.1.'}}]}
              - {And: [{Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2'}, {Not: {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.'}}]}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.10'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.11'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.12'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.13'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.14'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.15'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.16'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.17'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.18'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '2.2.19'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '3.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '4.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '5.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '6.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '7.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '8.'}
              - {Variable: '{{ readInventoryBefore.DriverVersion }}', StartsWith: '9.'}
      - NextStep: reportNothingToDo
        And:
          - {Variable: '{{ readInventoryBefore.DriverPresent }}', StringEquals: 'true'}
          - {Variable: '{{ readInventoryBefore.DriverBuild }}', StringEquals: in-tree}
          - Or:
              - {And: [{Variable: '{{ readInventoryBefore.KernelRelease }}', StartsWith: '5.1'}, {Not: {Variable: '{{ readInventoryBefore.KernelRelease }}', StartsWith: '5.1.'}}]}
              - {Variable: '{{ readInventoryBefore.KernelRelease }}', StartsWith: '6.'}
              - {Variable: '{{ readInventoryBefore.KernelRelease }}', StartsWith: '7.'}
              - {Variable: '{{ readInventoryBefore.KernelRelease }}', StartsWith: '8.'}
              - {Variable: '{{ readInventoryBefore.KernelRelease }}', StartsWith: '9.'}
    Default: checkKernelUpdate
- name: verifyWindowsDriver
  action: aws:branch
  description: The driver must be exactly the version installed, or for "newest" at least 2.4.0 and not rolled back.
  onFailure: step:failVerificationUnavailable
  inputs:
    Choices:
      - NextStep: reportUpdated
        And:
          - Not: {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: ''}
          - Or:
              - {Variable: '{{ readInventoryAfter.DriverVersion }}', StringEquals: '{{ TargetWindowsDriverVersion }}'}
              - {Variable: '{{ readInventoryAfter.DriverVersion }}', StringEquals: '{{ TargetWindowsDriverVersion }}.0'}
      - NextStep: failWindowsVersionMismatch
        Not: {Variable: '{{ TargetWindowsDriverVersion }}', StringEquals: ''}
      - NextStep: verifyWindows2008R2Driver
        Or:
          - {Variable: '{{ describeManagedInstance.PlatformName }}', Contains: 2008 R2}
          - {Variable: '{{ describeManagedInstance.PlatformVersion }}', StartsWith: '6.1.'}
      - NextStep: verifyWindows2012Driver
        Or:
          - {Variable: '{{ describeManagedInstance.PlatformName }}', Contains: '2012'}
          - {Variable: '{{ describeManagedInstance.PlatformVersion }}', StartsWith: '6.2.'}
          - {Variable: '{{ describeManagedInstance.PlatformVersion }}', StartsWith: '6.3.'}
      - NextStep: failDriverStillOutdated
        Or:
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StringEquals: '2.2.4'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StringEquals: '2.2.4.0'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StringEquals: '2.5.0'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StringEquals: '2.5.0.0'}
      - NextStep: reportUpdated
        Or:
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.4'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.5'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.6'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.7'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.8'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.9'}
          - {And: [{Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.1'}, {Not: {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.1.'}}]}
          - {And: [{Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2'}, {Not: {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.'}}]}
          - {And: [{Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.3'}, {Not: {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.3.'}}]}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '3.'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '4.'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '5.'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '6.'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '7.'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '8.'}
          - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '9.'}
    Default: failDriverStillOutdated
- name: verifyLinuxKernel
  action: aws:branch
  description: The running kernel must have changed, and an out-of-tree driver must be at least 2.2.10.
  onFailure: step:failVerificationUnavailable
  inputs:
    Choices:
      - NextStep: failKernelNotUpdated
        Variable: '{{ readInventoryAfter.KernelRelease }}'
        StringEquals: '{{ readInventoryBefore.KernelRelease }}'
      - NextStep: failDriverStillOutdated
        And:
          - {Variable: '{{ readInventoryAfter.DriverBuild }}', StringEquals: out-of-tree}
          - Not:
              Or:
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.3'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.4'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.5'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.6'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.7'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.8'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.9'}
                - {And: [{Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.1'}, {Not: {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.1.'}}]}
                - {And: [{Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2'}, {Not: {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.'}}]}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.10'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.11'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.12'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.13'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.14'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.15'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.16'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.17'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.18'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '2.2.19'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '3.'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '4.'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '5.'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '6.'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '7.'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '8.'}
                - {Variable: '{{ readInventoryAfter.DriverVersion }}', StartsWith: '9.'}
    Default: reportUpdated
`) as Step[];

const runbook = parse(readFileSync(RUNBOOK_PATH, 'utf8')) as { parameters: Record<string, { allowedPattern?: string }>; mainSteps: Step[] };
const current = new Map(runbook.mainSteps.map((step) => [step.name, step]));
/** The runbook as it decided before: the original steps instead of the rewritten ones, without the new ones. */
const reference = new Map(current);
for (const step of ORIGINAL_STEPS) reference.set(step.name, step);
const NEW_STEPS = ['checkDriverMinimum', 'verifyDriverMinimum'];
for (const name of NEW_STEPS) reference.delete(name);

type Action = NonNullable<ReturnType<typeof SUPPORTED_ACTIONS.get>>;
const branch: Action = SUPPORTED_ACTIONS.get('aws:branch') ?? ((): never => {
  throw new Error('the simulator has no aws:branch');
})();
/** aws:branch reads nothing from its context. */
const NO_CONTEXT = {} as Parameters<Action['run']>[1];

type Outputs = Record<string, Record<string, string>>;

/** Follows aws:branch steps from `entry` and returns the first step that is not a branch. */
function decide(steps: ReadonlyMap<string, Step>, entry: string, parameters: Record<string, string>, outputs: Outputs): string {
  const scope = { parameters, stepOutputs: new Map(Object.entries(outputs)), system: {} };
  let name = entry;
  for (let hops = 0; hops < 20; hops += 1) {
    const step = steps.get(name);
    if (step === undefined) throw new Error(`no step ${name}`);
    if (step.action !== 'aws:branch') return name;
    const outcome = branch.run(substitute(step.inputs, scope) as Record<string, unknown>, NO_CONTEXT);
    if (outcome instanceof Promise || outcome.nextStep === undefined) throw new Error(`${name} chose no step`);
    name = outcome.nextStep;
  }
  throw new Error(`no end from ${entry}`);
}

/** Every condition of the branch steps, flattened. */
function conditions(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(conditions);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  return [...('Variable' in record ? [record] : []), ...Object.values(record).flatMap(conditions)];
}

const ALL_BRANCHES = [...current.values(), ...reference.values()].filter((step) => step.action === 'aws:branch');

const ALL_CONDITIONS = conditions(ALL_BRANCHES.map((step) => step.inputs));
const representativesCache = new Map<string, string[]>();

/**
 * The representatives of a variable compared with StringEquals and StartsWith only (see above):
 * with StringEquals alone, each literal and one other value; with StartsWith, every prefix of a
 * literal, alone and followed by "~".
 */
function representatives(variable: string, target: string): string[] {
  const key = `${variable} ${target}`;
  const cached = representativesCache.get(key);
  if (cached !== undefined) return cached;
  const literals = new Set<string>();
  let prefixes = false;
  for (const condition of ALL_CONDITIONS) {
    if (condition['Variable'] !== `{{ ${variable} }}`) continue;
    const operator = Object.keys(condition).find((name) => name !== 'Variable' && name !== 'NextStep') ?? '';
    if (!['StringEquals', 'StartsWith'].includes(operator)) throw new Error(`${variable} is compared with ${operator}`);
    prefixes ||= operator === 'StartsWith';
    literals.add(String(condition[operator]).replaceAll('{{ TargetWindowsDriverVersion }}', target));
  }
  if (literals.size === 0) throw new Error(`no branch compares ${variable}`);
  const found = new Set<string>(['~']);
  for (const literal of literals) {
    if (literal.includes('~')) throw new Error(`literal ${literal} contains the "other" character`);
    for (let length = prefixes ? 0 : literal.length; length <= literal.length; length += 1) {
      found.add(literal.slice(0, length));
      if (prefixes) found.add(`${literal.slice(0, length)}~`);
    }
  }
  representativesCache.set(key, [...found]);
  return [...found];
}

/**
 * One TargetWindowsDriverVersion of each class the branches tell apart, within its allowedPattern
 * (Systems Manager refuses any other value before the first step): empty; major 0, 1, 3, 10; 2.x
 * for each minor 0-7 and 10; and every patch the branches name (2.2.0-2.2.4, 2.5.0, 2.6.0) next
 * to one they do not. The driver versions are then enumerated against each of these values.
 */
const TARGETS = ['', '0.9.0', '1.0.0', '3.0.0', '10.0.0', '2.0.0', '2.1.0', '2.2.0', '2.2.1', '2.2.2', '2.2.3', '2.2.4', '2.2.10', '2.3.0', '2.4.0', '2.5.0', '2.5.1', '2.6.0', '2.6.1', '2.7.0', '2.10.0'];

const WINDOWS = [
  ['Microsoft Windows Server 2008 R2 Datacenter', '6.1.7601'],
  ['Microsoft Windows Server Datacenter', '6.1.7601'],
  ['Microsoft Windows Server 2008 Standard', '6.0.6002'],
  ['Microsoft Windows Server 2012 Standard', '6.2.9200'],
  ['Microsoft Windows Server 2012 R2 Datacenter', '6.3.9600'],
  ['Microsoft Windows Server 2016 Datacenter', '10.0.14393'],
  ['Microsoft Windows Server 2019 Datacenter', '10.0.17763'],
  ['Microsoft Windows Server 2022 Datacenter', '10.0.20348'],
  ['Microsoft Windows Server Datacenter', '10.0.20348'],
].map(([PlatformName = '', PlatformVersion = '']) => ({ PlatformType: 'Windows', PlatformName, PlatformVersion }));
const LINUX = { PlatformType: 'Linux', PlatformName: 'Amazon Linux', PlatformVersion: '2' };
const PRESENT = representatives('readInventoryBefore.DriverPresent', '');
const BUILDS = representatives('readInventoryBefore.DriverBuild', '');

function parametersWith(target: string): Record<string, string> {
  return { InstanceId: 'i-0aaaaaaaaaaaaaaa1', TargetWindowsDriverVersion: target, CreateBackupImage: 'true', InventoryAssociationId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', AutomationAssumeRole: '' };
}

function inventory(fields: Record<string, string>): Record<string, string> {
  return { DriverPresent: 'true', DriverLoaded: 'true', InterfaceDriver: 'ena', DriverVersion: '', DriverBuild: 'in-tree', KernelRelease: '4.14.173', OsId: 'amzn', OsVersion: '2', CollectedAt: '2026-03-02T09:00:00Z', ...fields };
}

describe('EnaGuard-UpdateEnaDriver decides exactly as before its branches were rewritten', () => {
  it('keeps the rewritten steps\' names, and adds only the two shared minimum checks', () => {
    expect(ORIGINAL_STEPS.map((step) => step.name)).toEqual(['checkRequestOn2008R2', 'checkRequestOn2012', 'checkWindowsNoOp', 'checkLinuxNoOp', 'verifyWindowsDriver', 'verifyLinuxKernel']);
    expect([...current.keys()].filter((name) => !reference.has(name))).toEqual(NEW_STEPS);
    for (const target of TARGETS) expect(new RegExp(runbook.parameters['TargetWindowsDriverVersion']?.allowedPattern ?? '(?!)').test(target), target).toBe(true);
  });

  it('before the update, on Windows: every release, requested version and driver version leads to the same step', () => {
    let walks = 0;
    for (const platform of WINDOWS) {
      for (const target of TARGETS) {
        const parameters = parametersWith(target);
        for (const version of representatives('readInventoryBefore.DriverVersion', target)) {
          for (const present of PRESENT) {
            const outputs = { describeManagedInstance: platform, readInventoryBefore: inventory({ DriverVersion: version, DriverPresent: present }) };
            const expected = decide(reference, 'choosePlatform', parameters, outputs);
            const actual = decide(current, 'choosePlatform', parameters, outputs);
            if (actual !== expected) expect({ platform, target, version, present, actual }).toEqual({ platform, target, version, present, actual: expected });
            walks += 1;
          }
        }
      }
    }
    expect(walks).toBeGreaterThan(10_000);
  });

  it('before the update, on Linux: every driver build, driver version and kernel leads to the same step', () => {
    let walks = 0;
    const kernels = representatives('readInventoryBefore.KernelRelease', '');
    for (const os of [{ OsId: 'amzn', OsVersion: '2' }, { OsId: 'centos', OsVersion: '7' }]) {
      for (const version of representatives('readInventoryBefore.DriverVersion', '')) {
        for (const present of PRESENT) {
          for (const build of BUILDS) {
            for (const kernel of kernels) {
              const outputs = { describeManagedInstance: LINUX, readInventoryBefore: inventory({ ...os, DriverVersion: version, DriverPresent: present, DriverBuild: build, KernelRelease: kernel }) };
              const expected = decide(reference, 'choosePlatform', parametersWith(''), outputs);
              const actual = decide(current, 'choosePlatform', parametersWith(''), outputs);
              if (actual !== expected) expect({ os, version, present, build, kernel, actual }).toEqual({ os, version, present, build, kernel, actual: expected });
              walks += 1;
            }
          }
        }
      }
    }
    expect(walks).toBeGreaterThan(10_000);
  });

  it('after the update: every platform, requested version, driver build, driver version and kernel leads to the same step', () => {
    let walks = 0;
    const cases = [
      ...WINDOWS.flatMap((platform) => TARGETS.map((target) => ({ platform, target, build: 'in-tree', kernelChanged: true }))),
      ...[LINUX, { ...LINUX, PlatformType: '~' }].flatMap((platform) => BUILDS.flatMap((build) => [true, false].map((kernelChanged) => ({ platform, target: '', build, kernelChanged })))),
    ];
    for (const { platform, target, build, kernelChanged } of cases) {
      for (const version of representatives('readInventoryAfter.DriverVersion', target)) {
        const outputs = {
          describeManagedInstance: platform,
          readInventoryBefore: inventory({}),
          readInventoryAfter: inventory({ DriverVersion: version, DriverBuild: build, KernelRelease: kernelChanged ? '4.14.355' : '4.14.173' }),
        };
        const expected = decide(reference, 'choosePlatformVerification', parametersWith(target), outputs);
        const actual = decide(current, 'choosePlatformVerification', parametersWith(target), outputs);
        if (actual !== expected) expect({ platform, target, build, kernelChanged, version, actual }).toEqual({ platform, target, build, kernelChanged, version, actual: expected });
        walks += 1;
      }
    }
    expect(walks).toBeGreaterThan(10_000);
  });
});

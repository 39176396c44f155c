/**
 * The fact parameters of the stack's assessment documents hold the values of rules/driver-policy.ts
 * (one definition: the documents' defaults are tested against it), and their policy parameters
 * accept exactly what the rule's parameters accept.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DRIVER_VERSION_PARAMETER_PATTERN } from '../../rules/driver-current.js';
import {
  DEFAULT_KERNEL_MINIMUMS,
  DISTRIBUTION_PARENTS,
  ID_LIKE_PARENTS,
  KERNEL_MINIMUMS_PATTERN,
  KNOWN_BAD_LINUX_DRIVER_RELEASES,
  knownBadReleasesParameter,
  LINUX_SECURITY_FIX_DRIVER_VERSION,
  ROLLED_BACK_WINDOWS_DRIVER_VERSIONS,
  WINDOWS_DRIVER_CEILINGS,
  WINDOWS_DRIVER_FLOORS,
  WINDOWS_SERVER_VERSIONS,
} from '../../rules/driver-policy.js';
import { runbookPath } from '../support/runbook-documents.js';

interface Parameter {
  readonly default?: string;
  readonly allowedPattern?: string;
}

function parameters(name: string): Record<string, Parameter> {
  const text = readFileSync(runbookPath(name), 'utf8');
  return (parse(text) as { parameters: Record<string, Parameter> }).parameters;
}

const linux = parameters('EnaGuard-AssessEnaDriverLinux');
const windows = parameters('EnaGuard-AssessEnaDriverWindows');
const runbook = parameters('EnaGuard-UpdateEnaDriver');

describe('EnaGuard-AssessEnaDriverLinux', () => {
  it('defaults to the policy\'s facts', () => {
    expect(linux.SecurityFixDriverVersion?.default).toBe(LINUX_SECURITY_FIX_DRIVER_VERSION);
    expect(linux.KnownBadDriverVersions?.default).toBe(knownBadReleasesParameter(KNOWN_BAD_LINUX_DRIVER_RELEASES));
    expect(linux.DefaultKernelMinimums?.default).toBe(
      DEFAULT_KERNEL_MINIMUMS.map((row) => `${row.osId}${row.osVersion === undefined ? '' : `:${row.osVersion}`}=${row.minimumKernel}`).join(','),
    );
    expect(linux.DistributionParents?.default).toBe(Object.entries(DISTRIBUTION_PARENTS).map(([id, parent]) => `${id}=${parent}`).join(','));
    expect(linux.IdLikeParents?.default).toBe(ID_LIKE_PARENTS.join(','));
  });

  it('accepts each of its defaults under its own pattern', () => {
    for (const [name, parameter] of Object.entries(linux)) {
      if (parameter.default !== undefined && parameter.allowedPattern !== undefined) expect(parameter.default, name).toMatch(new RegExp(parameter.allowedPattern));
    }
  });

  it('takes the policy parameters in the rule\'s own forms', () => {
    expect(linux.LinuxMinimumDriverVersion?.allowedPattern).toBe(DRIVER_VERSION_PARAMETER_PATTERN);
    expect(linux.KernelMinimums?.allowedPattern).toBe(`^ *$|${KERNEL_MINIMUMS_PATTERN.replace(/^\^\$\|/, '')}`);
  });
});

describe('EnaGuard-AssessEnaDriverWindows', () => {
  it('defaults to the policy\'s facts', () => {
    expect(windows.RolledBackDriverVersions?.default).toBe(ROLLED_BACK_WINDOWS_DRIVER_VERSIONS.join(','));
    const limits = [
      ...Object.entries(WINDOWS_DRIVER_CEILINGS).map(([release, version]) => `${WINDOWS_SERVER_VERSIONS[release as keyof typeof WINDOWS_SERVER_VERSIONS]}<=${version}`),
      ...Object.entries(WINDOWS_DRIVER_FLOORS).map(([release, version]) => `${WINDOWS_SERVER_VERSIONS[release as keyof typeof WINDOWS_SERVER_VERSIONS]}>=${version}`),
    ];
    expect(windows.WindowsDriverLimits?.default?.split(',').sort()).toEqual(limits.sort());
  });

  it('accepts each of its defaults under its own pattern', () => {
    for (const [name, parameter] of Object.entries(windows)) {
      if (parameter.default !== undefined && parameter.allowedPattern !== undefined) expect(parameter.default, name).toMatch(new RegExp(parameter.allowedPattern));
    }
  });
});

describe('EnaGuard-UpdateEnaDriver', () => {
  it('takes the rule\'s thresholds in the rule\'s forms and passes them on unchanged', () => {
    expect(runbook.LinuxMinimumDriverVersion?.allowedPattern).toBe(DRIVER_VERSION_PARAMETER_PATTERN);
    expect(runbook.WindowsMinimumDriverVersion?.allowedPattern).toBe(DRIVER_VERSION_PARAMETER_PATTERN);
    expect(runbook.KernelMinimums?.allowedPattern).toBe(linux.KernelMinimums?.allowedPattern);
    expect(runbook.TargetWindowsDriverVersion?.allowedPattern).toBe(windows.TargetWindowsDriverVersion?.allowedPattern);
  });

  it('installs every ceiling the policy knows with a step of its own', () => {
    const text = readFileSync(runbookPath('EnaGuard-UpdateEnaDriver'), 'utf8');
    for (const ceiling of new Set(Object.values(WINDOWS_DRIVER_CEILINGS))) {
      expect(text).toContain(`Contains: ENA_GUARD_INSTALL=${ceiling}`);
      expect(text).toContain(`version: ${ceiling}`);
    }
  });
});

/**
 * ena-driver-current: the ENA driver in the guest (or, for the upstream in-tree Linux driver, the
 * kernel) is at or above the effective minimum for that instance.
 *
 * The facts come from the `Custom:EnaDriver` inventory item written by the
 * EnaGuard-CollectEnaDriverInventory command document; Config does not record driver versions.
 * The thresholds and how they are chosen live in driver-policy.ts.
 */
import * as z from 'zod';
import {
  assessDriver,
  DEFAULT_LINUX_MINIMUM_DRIVER_VERSION,
  DEFAULT_WINDOWS_MINIMUM_DRIVER_VERSION,
  KERNEL_MINIMUMS_FORM,
  parseKernelMinimums,
  rowLabel,
  type DriverAssessment,
} from './driver-policy.js';
import { parseDriverVersion } from './driver-version.js';
import type { EnaCapability, InstanceFacts } from './facts.js';
import { instanceScope, type InstanceScopeReason } from './instance-scope.js';
import { ENA_DRIVER_INVENTORY_TYPE, type EnaDriverInventory } from './inventory.js';
import { complianceChoiceParameter, exemptionTagKeyParameter } from './parameters.js';
import { compliant, judged, nonCompliant, notApplicable, type Judged, type Verdict } from './verdict.js';

export const DRIVER_CURRENT_RULE_NAME = 'ena-driver-current';
export const UPDATE_DRIVER_RUNBOOK = 'EnaGuard-UpdateEnaDriver';
export const COLLECT_INVENTORY_DOCUMENT = 'EnaGuard-CollectEnaDriverInventory';

function driverVersionParameter(defaultValue: string) {
  return z
    .string()
    .refine((value) => parseDriverVersion(value) !== undefined)
    .default(defaultValue)
    .describe(`a driver version such as ${defaultValue} (digits and dots; a g or K suffix is ignored; default ${defaultValue})`);
}

/** `kernelMinimums`: overrides of the per-distribution kernel table, in the compact form {@link KERNEL_MINIMUMS_FORM}. */
const kernelMinimumsParameter = z
  .string()
  .transform((text, context) => {
    const parsed = parseKernelMinimums(text);
    if (parsed.ok) return parsed.value;
    context.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  })
  .default([])
  .describe(KERNEL_MINIMUMS_FORM);

export const driverCurrentParameters = z.object({
  exemptionTagKey: exemptionTagKeyParameter,
  linuxMinimumDriverVersion: driverVersionParameter(DEFAULT_LINUX_MINIMUM_DRIVER_VERSION),
  windowsMinimumDriverVersion: driverVersionParameter(DEFAULT_WINDOWS_MINIMUM_DRIVER_VERSION),
  kernelMinimums: kernelMinimumsParameter,
  /** What to report when the driver cannot be known: no inventory, not managed, version unreadable, distribution not in the table. */
  unknownDriver: complianceChoiceParameter('NON_COMPLIANT'),
  /** How many ListInventoryEntries calls the adapter may run at once (used by the adapter, not by the rule). */
  inventoryConcurrency: z.coerce
    .number()
    .int()
    .min(1)
    .max(32)
    .default(8)
    .describe('a whole number from 1 to 32 (default 8)'),
});
export type DriverCurrentParameters = z.output<typeof driverCurrentParameters>;

export type DriverCurrentReason =
  | 'DRIVER_CURRENT'
  | 'DRIVER_OUTDATED'
  | 'DRIVER_ROLLED_BACK'
  | 'KERNEL_CURRENT'
  | 'KERNEL_OUTDATED'
  | 'DRIVER_MISSING'
  | 'ENA_NOT_IN_USE'
  | 'MINIMUM_CAPPED_BY_OS'
  | 'NO_INVENTORY'
  | 'NOT_MANAGED'
  | 'DRIVER_VERSION_UNKNOWN'
  | 'KERNEL_MINIMUM_UNKNOWN'
  | 'TYPE_CANNOT_USE_ENA'
  | InstanceScopeReason;

export interface DriverCurrentFacts {
  readonly instance: InstanceFacts;
  /** `undefined`: the type's capability is not known (a new type, or the lookup failed). */
  readonly enaCapability: EnaCapability | undefined;
  /** Registered with Systems Manager; `undefined` when not looked up. */
  readonly managed: boolean | undefined;
  /** The instance's `Custom:EnaDriver` entry; `undefined`: no entry. */
  readonly inventory: EnaDriverInventory | undefined;
}

const COLLECT_HINT = `apply the ${COLLECT_INVENTORY_DOCUMENT} association`;

function unknownVerdict(
  parameters: DriverCurrentParameters,
  what: string,
  fix: string,
  reason: DriverCurrentReason,
  ...more: DriverCurrentReason[]
): Judged<DriverCurrentReason> {
  const prefix = parameters.unknownDriver === 'NON_COMPLIANT' ? 'ENA driver unknown' : 'ENA driver not judged';
  return judged(parameters.unknownDriver, `${prefix}: ${what}; ${fix}.`, reason, ...more);
}

/** Reported text shortened for an annotation, so that a hostile or broken entry cannot push it past 256 characters. */
function short(text: string, limit = 24): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function platformLabel(assessment: Extract<DriverAssessment, { kind: 'driver' }>): string {
  return assessment.platform === 'windows' ? 'Windows' : 'Linux, out-of-tree';
}

function interfaceNote(inventory: EnaDriverInventory): string {
  const name = inventory.interfaceName.length > 0 ? short(inventory.interfaceName) : 'the interface';
  return ` ENA not in use: ${name} uses ${short(inventory.interfaceDriver)}.`;
}

function verdictFromAssessment(
  assessment: DriverAssessment,
  inventory: EnaDriverInventory,
  parameters: DriverCurrentParameters,
  notInUse: boolean,
): Judged<DriverCurrentReason> {
  const inUseReasons: DriverCurrentReason[] = notInUse ? ['ENA_NOT_IN_USE'] : [];
  const inUseNote = notInUse ? interfaceNote(inventory) : '';
  switch (assessment.kind) {
    case 'unknown': {
      const fix =
        assessment.cause === 'kernel-minimum-unknown'
          ? `add the distribution to kernelMinimums (e.g. ${short(inventory.osId) || 'id'}:${short(inventory.osVersion) || 'version'}=kernel)`
          : `run ${COLLECT_INVENTORY_DOCUMENT} again and check its Errors`;
      const reason: DriverCurrentReason = assessment.cause === 'kernel-minimum-unknown' ? 'KERNEL_MINIMUM_UNKNOWN' : 'DRIVER_VERSION_UNKNOWN';
      return unknownVerdict(parameters, assessment.detail, fix, reason, ...inUseReasons);
    }
    case 'kernel': {
      const text = `kernel ${assessment.found.text} (in-tree ENA driver) ${assessment.status === 'current' ? '>=' : '<'} ${assessment.minimum.text} for ${rowLabel(assessment.row)}`;
      if (assessment.status === 'current') return compliant(`${text}.${inUseNote}`, 'KERNEL_CURRENT', ...inUseReasons);
      return nonCompliant(`${text}; update the kernel and reboot (${UPDATE_DRIVER_RUNBOOK}).${inUseNote}`, 'KERNEL_OUTDATED', ...inUseReasons);
    }
    case 'driver': {
      const capped = assessment.cappedFor ? `, capped for Server ${assessment.cappedFor}` : '';
      const raised = assessment.raisedFor ? `, Server ${assessment.raisedFor} needs it` : '';
      const context = `(${platformLabel(assessment)}${capped}${raised})`;
      const cappedReasons: DriverCurrentReason[] = assessment.cappedFor ? ['MINIMUM_CAPPED_BY_OS'] : [];
      if (assessment.status === 'rolled-back') {
        return nonCompliant(
          `ENA driver ${assessment.found.text} was rolled back by AWS ${context}; run ${UPDATE_DRIVER_RUNBOOK}.${inUseNote}`,
          'DRIVER_ROLLED_BACK',
          ...cappedReasons,
          ...inUseReasons,
        );
      }
      if (assessment.status === 'outdated') {
        return nonCompliant(
          `ENA driver ${assessment.found.text} < ${assessment.minimum.text} ${context}; run ${UPDATE_DRIVER_RUNBOOK}.${inUseNote}`,
          'DRIVER_OUTDATED',
          ...cappedReasons,
          ...inUseReasons,
        );
      }
      return compliant(
        `ENA driver ${assessment.found.text} >= ${assessment.minimum.text} ${context}.${inUseNote}`,
        'DRIVER_CURRENT',
        ...cappedReasons,
        ...inUseReasons,
      );
    }
  }
}

/** The ENA interface is not bound to ENA (e.g. `vif`, the Xen netfront adapter) although a driver is installed. */
function enaNotInUse(inventory: EnaDriverInventory): boolean {
  return inventory.interfaceDriver.length > 0 && inventory.interfaceDriver !== 'ena';
}

/**
 * Whether judging this instance needs its inventory: false when the verdict is already decided
 * (exempt, going away, unknown type, or a type that cannot use ENA), so sweeps skip the call.
 */
export function needsDriverInventory(
  instance: InstanceFacts,
  enaCapability: EnaCapability | undefined,
  parameters: Pick<DriverCurrentParameters, 'exemptionTagKey'>,
): boolean {
  const scope = instanceScope(instance, enaCapability, parameters.exemptionTagKey);
  return scope.inScope && scope.enaCapability !== 'unsupported';
}

/** Judges one instance against the ENA driver version policy. */
export function evaluateDriverCurrent(
  { instance, enaCapability, managed, inventory }: DriverCurrentFacts,
  parameters: DriverCurrentParameters,
): Verdict<DriverCurrentReason> {
  const scope = instanceScope(instance, enaCapability, parameters.exemptionTagKey);
  if (!scope.inScope) return scope.verdict;
  if (scope.enaCapability === 'unsupported') {
    return notApplicable(`Instance type ${instance.instanceType} cannot use ENA.`, 'TYPE_CANNOT_USE_ENA');
  }
  if (managed === false) {
    return unknownVerdict(
      parameters,
      'instance is not managed by Systems Manager',
      `install and register SSM Agent, then ${COLLECT_HINT}`,
      'NOT_MANAGED',
    );
  }
  if (inventory === undefined) {
    return unknownVerdict(parameters, `no ${ENA_DRIVER_INVENTORY_TYPE} inventory`, COLLECT_HINT, 'NO_INVENTORY');
  }
  if (!inventory.driverPresent) {
    return nonCompliant(
      `No ENA driver in the guest on ENA-capable type ${instance.instanceType}: install the driver before enabling ENA (${UPDATE_DRIVER_RUNBOOK}).`,
      'DRIVER_MISSING',
    );
  }
  const policy = {
    linuxMinimumDriverVersion: parameters.linuxMinimumDriverVersion,
    windowsMinimumDriverVersion: parameters.windowsMinimumDriverVersion,
    kernelMinimums: parameters.kernelMinimums,
  };
  return verdictFromAssessment(assessDriver(inventory, policy), inventory, parameters, enaNotInUse(inventory));
}

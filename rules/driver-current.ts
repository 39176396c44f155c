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
  LINUX_SECURITY_FIX_DRIVER_VERSION,
  KERNEL_MINIMUMS_PATTERN,
  parseKernelMinimums,
  rowLabel,
  type DriverAssessment,
} from './driver-policy.js';
import { parseDriverVersion } from './driver-version.js';
import type { EnaCapability, InstanceFacts } from './facts.js';
import { instanceScope, type InstanceScopeReason } from './instance-scope.js';
import { ENA_DRIVER_INVENTORY_TYPE, type EnaDriverInventory } from './inventory.js';
import { booleanParameter, complianceChoiceParameter, exemptionTagKeyParameter, wholeNumberParameter, withTemplateForm } from './parameters.js';
import { instanceRule } from './declaration.js';
import { stackScopeParameters } from './stack-scope.js';
import { truncate } from './text.js';
import { compliant, judged, nonCompliant, notApplicable, type Judged, type Verdict } from './verdict.js';

export const DRIVER_CURRENT_RULE_NAME = 'ena-driver-current';
export const UPDATE_DRIVER_RUNBOOK = 'EnaGuard-UpdateEnaDriver';
export const COLLECT_INVENTORY_DOCUMENT = 'EnaGuard-CollectEnaDriverInventory';

/**
 * The accepted form of a driver version parameter, written once for the rule's schema and the
 * template's AllowedPattern: digits and dots (up to eight components), an optional `v` before and
 * a letter suffix such as `g` or `K` after, as `modinfo` and the Windows driver print them.
 */
export const DRIVER_VERSION_PARAMETER_PATTERN = '^v?[0-9]{1,15}([.][0-9]{1,15}){0,7}([-_]?[A-Za-z]{1,8})?$';

function driverVersionParameter(defaultValue: string, summary: string) {
  return withTemplateForm(
    z
      .string()
      .regex(new RegExp(DRIVER_VERSION_PARAMETER_PATTERN))
      .refine((value) => parseDriverVersion(value) !== undefined)
      .default(defaultValue)
      .describe(`a driver version such as ${defaultValue} (digits and dots; a g or K suffix is ignored; default ${defaultValue})`),
    {
      summary,
      default: defaultValue,
      type: 'String',
      allowedPattern: DRIVER_VERSION_PARAMETER_PATTERN,
      maxLength: 128,
      samples: {
        accepted: ['2.2.10', '2.8.1g', '2.1.0K', '2.4.0.0', '2', 'v2.9.0', '2.10.0-beta'],
        refused: ['2..1', 'latest', '2.2.10 g', '-1.0', '2.2.10gggggggggg', '1.2.3.4.5.6.7.8.9', '2.2,10'],
      },
    },
  );
}

/** `kernelMinimums`: overrides of the per-distribution kernel table, in the compact form {@link KERNEL_MINIMUMS_FORM}. */
const kernelMinimumsParameter = withTemplateForm(
  z
    .string()
    .transform((text, context) => {
      const parsed = parseKernelMinimums(text);
      if (parsed.ok) return parsed.value;
      context.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    })
    .default([])
    .describe(KERNEL_MINIMUMS_FORM),
  {
    summary: 'Overrides of the per-distribution kernel minimums for the in-tree driver (see docs/driver-versions.md).',
    default: '',
    type: 'String',
    allowedPattern: KERNEL_MINIMUMS_PATTERN,
    samples: {
      accepted: ['', 'amzn=4.14.186', 'amzn=4.14.186,ubuntu:20.04=5.4.0-1025-aws', 'rocky:9=5.14.0-70.13.1.el9_0', 'sles:15.2=5.3.18-24.15.1'],
      refused: ['amzn', 'Amazon Linux=4.14', 'amzn=latest', 'ubuntu:focal=5.4.0', 'amzn=4.14.186;rhel=4.18.0', 'a:b:c=4.14.1'],
    },
  },
);

export const driverCurrentParameters = z.object({
  exemptionTagKey: exemptionTagKeyParameter,
  ...stackScopeParameters,
  linuxMinimumDriverVersion: driverVersionParameter(
    DEFAULT_LINUX_MINIMUM_DRIVER_VERSION,
    'Minimum out-of-tree Linux ENA driver (2.10.0: past the RSS hash bug, the 2.8.1-2.8.3 PPS regression, the pre-2.9.0 Nitro v4 drops and the admin-timeout crash).',
  ),
  windowsMinimumDriverVersion: driverVersionParameter(
    DEFAULT_WINDOWS_MINIMUM_DRIVER_VERSION,
    'Minimum Windows ENA driver (2.10.0: past the 2.8.0 memory-corruption and 2.9.0/2.10.0 reboot fixes); capped per OS (Server 2012/2012 R2 at 2.6.0, 2008 R2 at 2.2.3).',
  ),
  /** Raises the out-of-tree Linux minimum to the release with the last published security fix. */
  requireSecurityFixes: booleanParameter(
    false,
    `Require the out-of-tree Linux driver with the last published security fix (${LINUX_SECURITY_FIX_DRIVER_VERSION}, PHC information leak).`,
  ),
  kernelMinimums: kernelMinimumsParameter,
  /** What to report when the driver cannot be known: no inventory, not managed, version unreadable, distribution not in the table. */
  unknownDriver: complianceChoiceParameter(
    'NON_COMPLIANT',
    'How to report an instance whose driver cannot be known (no SSM Agent, no inventory, unreadable version).',
  ),
  /**
   * What to report for an in-tree (or in-kernel `K`) driver on a distribution, release or kernel
   * flavour for which no AWS source publishes a minimum kernel (Debian, Fedora, Bottlerocket, an
   * Ubuntu -generic kernel, Oracle UEK…). Default NOT_APPLICABLE: never NON_COMPLIANT without a
   * published minimum behind it; set NON_COMPLIANT to make such instances show, or add rows to
   * kernelMinimums.
   */
  distributionWithoutMinimum: complianceChoiceParameter(
    'NOT_APPLICABLE',
    'How to report the in-tree driver on a distribution, release or kernel flavour with no published minimum kernel (NOT_APPLICABLE: never non-compliant without a published fact).',
  ),
  /** How many ListInventoryEntries calls the adapter may run at once (used by the adapter, not by the rule). */
  inventoryConcurrency: wholeNumberParameter(8, 1, 32, 'ListInventoryEntries calls in flight during a sweep.'),
});
export type DriverCurrentParameters = z.output<typeof driverCurrentParameters>;

export type DriverCurrentReason =
  | 'DRIVER_CURRENT'
  | 'DRIVER_OUTDATED'
  | 'DRIVER_ROLLED_BACK'
  | 'DRIVER_KNOWN_BAD'
  | 'KERNEL_CURRENT'
  | 'KERNEL_OUTDATED'
  | 'DRIVER_MISSING'
  | 'ENA_NOT_IN_USE'
  | 'MINIMUM_CAPPED_BY_OS'
  | 'NO_INVENTORY'
  | 'NOT_MANAGED'
  | 'DRIVER_VERSION_UNKNOWN'
  | 'KERNEL_MINIMUM_UNKNOWN'
  | 'NO_PUBLISHED_MINIMUM'
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
function short(text: string): string {
  return truncate(text, 24);
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
      if (assessment.cause === 'no-published-minimum') {
        const prefix = parameters.distributionWithoutMinimum === 'NON_COMPLIANT' ? 'No published minimum kernel' : 'Not judged, no published minimum kernel';
        const example = `${short(inventory.osId) || 'id'}:${short(inventory.osVersion) || 'version'}=kernel`;
        return judged(
          parameters.distributionWithoutMinimum,
          `${prefix}: ${assessment.detail}; add your own to kernelMinimums (e.g. ${example}).${inUseNote}`,
          'NO_PUBLISHED_MINIMUM',
          ...inUseReasons,
        );
      }
      const fix =
        assessment.cause === 'kernel-minimum-unknown'
          ? `add the distribution to kernelMinimums (e.g. ${short(inventory.osId) || 'id'}:${short(inventory.osVersion) || 'version'}=kernel)`
          : `run ${COLLECT_INVENTORY_DOCUMENT} again and check its Errors`;
      const reason: DriverCurrentReason = assessment.cause === 'kernel-minimum-unknown' ? 'KERNEL_MINIMUM_UNKNOWN' : 'DRIVER_VERSION_UNKNOWN';
      return unknownVerdict(parameters, assessment.detail, fix, reason, ...inUseReasons);
    }
    case 'kernel': {
      // Says which driver was seen and why the kernel decides: the in-tree driver has no version,
      // and a K version is the in-kernel copy, which does not follow amzn-drivers numbering.
      const driver = assessment.inKernelDriverVersion ? `in-kernel ENA driver ${short(assessment.inKernelDriverVersion)}, judged by its kernel` : 'in-tree ENA driver';
      const judgedAs = assessment.judgedAs ? ` (${short(assessment.judgedAs)} judged as ${assessment.row.osId})` : '';
      const text = `kernel ${truncate(assessment.found.text, 64)} (${driver}) ${assessment.status === 'current' ? '>=' : '<'} ${assessment.minimum.text} for ${rowLabel(assessment.row)}${judgedAs}`;
      if (assessment.status === 'current') return compliant(`${text}.${inUseNote}`, 'KERNEL_CURRENT', ...inUseReasons);
      return nonCompliant(`${text}; update the kernel and reboot (${UPDATE_DRIVER_RUNBOOK}).${inUseNote}`, 'KERNEL_OUTDATED', ...inUseReasons);
    }
    case 'driver': {
      const capped = assessment.cappedFor ? `, capped for Server ${assessment.cappedFor}` : '';
      const raised = assessment.raisedFor ? `, Server ${assessment.raisedFor} needs it` : '';
      const floor = assessment.securityFloor ? ', security-fix floor' : '';
      const context = `(${platformLabel(assessment)}${capped}${raised}${floor})`;
      const cappedReasons: DriverCurrentReason[] = assessment.cappedFor ? ['MINIMUM_CAPPED_BY_OS'] : [];
      if (assessment.status === 'rolled-back') {
        return nonCompliant(
          `ENA driver ${assessment.found.text} was rolled back by AWS ${context}; run ${UPDATE_DRIVER_RUNBOOK}.${inUseNote}`,
          'DRIVER_ROLLED_BACK',
          ...cappedReasons,
          ...inUseReasons,
        );
      }
      if (assessment.status === 'known-bad' && assessment.knownBad) {
        const range = `${assessment.knownBad.from}-${assessment.knownBad.through}`;
        return nonCompliant(
          `ENA driver ${assessment.found.text} has a published defect (${assessment.knownBad.defect}, ${range}) ${context}; run ${UPDATE_DRIVER_RUNBOOK}.${inUseNote}`,
          'DRIVER_KNOWN_BAD',
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
    requireSecurityFixes: parameters.requireSecurityFixes,
    kernelMinimums: parameters.kernelMinimums,
  };
  return verdictFromAssessment(assessDriver(inventory, policy), inventory, parameters, enaNotInUse(inventory));
}

export const driverCurrentRule = instanceRule({
  id: DRIVER_CURRENT_RULE_NAME,
  description: `The ENA driver (or, for the in-tree Linux driver, the kernel) is at or above the minimum version. Fix with ${UPDATE_DRIVER_RUNBOOK}.`,
  reportedResourceTypes: ['AWS::EC2::Instance'],
  triggers: { changeResourceTypes: ['AWS::EC2::Instance'], periodic: true },
  deployment: 'always',
  parameters: driverCurrentParameters,
  factSources: ['fleet', 'inventory'],
  timeout: { seconds: 900, reason: "One read per managed instance (an object of the inventory data sync, or a ListInventoryEntries call): large fleets need Lambda's longest run." },
  driverInventoryConcurrency: (parameters) => parameters.inventoryConcurrency,
  needsDriverInventory: ({ instance, instanceType }, parameters) => needsDriverInventory(instance, instanceType?.enaSupport, parameters),
  evaluate: ({ instance, instanceType, driver }, parameters) =>
    evaluateDriverCurrent(
      { instance, enaCapability: instanceType?.enaSupport, managed: driver?.managed, inventory: driver?.inventory },
      parameters,
    ),
  remediation: {
    document: UPDATE_DRIVER_RUNBOOK,
    resourceIdParameter: 'InstanceId',
    staticParameters: {
      // One policy: the runbook compares the guest with exactly the thresholds this rule reads.
      LinuxMinimumDriverVersion: { ruleParameter: 'linuxMinimumDriverVersion' },
      WindowsMinimumDriverVersion: { ruleParameter: 'windowsMinimumDriverVersion' },
      RequireSecurityFixes: { ruleParameter: 'requireSecurityFixes' },
      KernelMinimums: { ruleParameter: 'kernelMinimums', mayBeEmpty: true },
      CreateBackupImage: { templateParameter: 'RemediationCreateBackupImage' },
      CollectorDocumentName: { templateValue: { Ref: 'EnaDriverCollectorDocument' } },
      AssessLinuxDocumentName: { templateValue: { Ref: 'AssessEnaDriverLinuxDocument' } },
      AssessWindowsDocumentName: { templateValue: { Ref: 'AssessEnaDriverWindowsDocument' } },
      KernelUpdateDocumentName: { templateValue: { Ref: 'UpdateLinuxKernelDocument' } },
      InventoryRefreshDocumentName: { templateValue: { Ref: 'RefreshEnaDriverInventoryDocument' } },
      ExemptionTagKey: { ruleParameter: 'exemptionTagKey' },
      LockTableName: { templateValue: { Ref: 'RunbookLockTable' } },
      InventoryAssociationId: {
        templateValue: { 'Fn::If': ['CreateInventoryAssociation', { 'Fn::GetAtt': ['InventoryAssociation', 'AssociationId'] }, { Ref: 'ExistingInventoryAssociationId' }] },
      },
    },
    automatic: 'by-remediation-mode',
    maximumAutomaticAttempts: 1,
    retryAttemptSeconds: 3600,
    concurrentExecutionRatePercentage: 5,
    errorPercentage: 5,
    comment: 'Driver updates reboot instances: automatic only when RemediationMode is automatic.',
  },
});

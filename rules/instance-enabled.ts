/**
 * ena-instance-enabled: an EC2 instance whose type can use ENA must have `enaSupport` on.
 *
 * Judged against what the instance type can do (DescribeInstanceTypes → NetworkInfo.EnaSupport),
 * never against a list of types kept in code.
 */
import * as z from 'zod';
import type { EnaCapability, InstanceFacts } from './facts.js';
import { instanceScope, type InstanceScopeReason } from './instance-scope.js';
import { complianceChoiceParameter, exemptionTagKeyParameter } from './parameters.js';
import { instanceRule } from './declaration.js';
import { stackScopeParameters } from './stack-scope.js';
import { compliant, judged, nonCompliant, type Verdict } from './verdict.js';

export const INSTANCE_ENABLED_RULE_NAME = 'ena-instance-enabled';
export const ENABLE_ENA_RUNBOOK = 'EnaGuard-EnableEnaSupport';

export const instanceEnabledParameters = z.object({
  exemptionTagKey: exemptionTagKeyParameter,
  ...stackScopeParameters,
  /** What to report for an instance whose type cannot use ENA at all (c4, m4 below 16xlarge, t2…). */
  enaIncapableTypes: complianceChoiceParameter(
    'NOT_APPLICABLE',
    'How to report instances whose type cannot use ENA at all (c4, m4 below 16xlarge, t2, ...).',
  ),
});
export type InstanceEnabledParameters = z.output<typeof instanceEnabledParameters>;

export type InstanceEnabledReason =
  | 'ENA_ENABLED'
  | 'ENA_DISABLED'
  | 'ENA_REQUIRED_BUT_DISABLED'
  | 'TYPE_CANNOT_USE_ENA'
  | InstanceScopeReason;

export interface InstanceEnabledFacts {
  readonly instance: InstanceFacts;
  /** `undefined`: the type's capability is not known (a new type, or the lookup failed). */
  readonly enaCapability: EnaCapability | undefined;
}

export function evaluateInstanceEnabled(
  { instance, enaCapability }: InstanceEnabledFacts,
  parameters: InstanceEnabledParameters,
): Verdict<InstanceEnabledReason> {
  const scope = instanceScope(instance, enaCapability, parameters.exemptionTagKey);
  if (!scope.inScope) return scope.verdict;
  const capability = scope.enaCapability;
  if (capability === 'unsupported') {
    const note =
      parameters.enaIncapableTypes === 'NON_COMPLIANT'
        ? `Instance type ${instance.instanceType} cannot use ENA: move to an ENA-capable type (any current generation).`
        : `Instance type ${instance.instanceType} cannot use ENA.`;
    return judged(parameters.enaIncapableTypes, note, 'TYPE_CANNOT_USE_ENA');
  }
  if (instance.enaSupport === true) {
    return compliant(`ENA is enabled (instance type ${capability === 'required' ? 'requires' : 'supports'} ENA).`, 'ENA_ENABLED');
  }
  const attribute = instance.enaSupport === false ? 'false' : 'not set';
  if (capability === 'required') {
    return nonCompliant(
      `enaSupport is ${attribute} but instance type ${instance.instanceType} requires ENA: the instance cannot start again as it is. Run ${ENABLE_ENA_RUNBOOK}.`,
      'ENA_REQUIRED_BUT_DISABLED',
    );
  }
  return nonCompliant(
    `enaSupport is ${attribute} on ENA-capable type ${instance.instanceType}. Check the guest has an ENA driver, then run ${ENABLE_ENA_RUNBOOK}.`,
    'ENA_DISABLED',
  );
}

export const instanceEnabledRule = instanceRule({
  id: INSTANCE_ENABLED_RULE_NAME,
  description: `EC2 instances whose type can use ENA must have enaSupport enabled. Fix with ${ENABLE_ENA_RUNBOOK}.`,
  reportedResourceTypes: ['AWS::EC2::Instance'],
  triggers: { changeResourceTypes: ['AWS::EC2::Instance'], periodic: true },
  deployment: 'always',
  parameters: instanceEnabledParameters,
  factSources: ['fleet'],
  evaluate: ({ instance, instanceType }, parameters) =>
    evaluateInstanceEnabled({ instance, enaCapability: instanceType?.enaSupport }, parameters),
  remediation: {
    document: ENABLE_ENA_RUNBOOK,
    resourceIdParameter: 'InstanceId',
    staticParameters: {
      CreateBackupImage: { templateParameter: 'RemediationCreateBackupImage' },
      AcceptMissingDriverEvidence: { literal: 'false' },
      // The runbook re-reads the same exemption tag the rule reads, live.
      ExemptionTagKey: { ruleParameter: 'exemptionTagKey' },
      DriverEvidenceDocumentName: { templateValue: { Ref: 'CheckEnaDriverEvidenceDocument' } },
      LockTableName: { templateValue: { Ref: 'RunbookLockTable' } },
    },
    automatic: 'by-remediation-mode',
    maximumAutomaticAttempts: 2,
    retryAttemptSeconds: 900,
    concurrentExecutionRatePercentage: 10,
    errorPercentage: 10,
  },
});

/**
 * ena-express-enabled (opt-in): an instance that its owners put in scope with a tag, whose type
 * can use ENA Express (DescribeInstanceTypes → NetworkInfo.EnaSrdSupported), must have ENA
 * Express on its primary network interface (DescribeInstances → NetworkInterfaces[].Attachment.
 * EnaSrdSpecification.EnaSrdEnabled). ENA Express only helps between instances that both use it,
 * so the rule judges only what a team asked for, never the whole fleet.
 *
 * Periodic only: AWS Config's recorded instance has no EnaSrdSpecification (awslabs
 * aws-config-resource-schema, AWS::EC2::Instance properties), so a change event could not be
 * judged without another DescribeInstances call per change.
 */
import * as z from 'zod';
import { instanceRule, type InstanceRuleFacts } from './declaration.js';
import { primaryNetworkInterface } from './facts.js';
import { instanceScope, type InstanceScopeReason } from './instance-scope.js';
import { stackScopeParameters } from './stack-scope.js';
import { exemptionTagKeyParameter, tagKeyParameter, withTemplateForm } from './parameters.js';
import { truncate } from './text.js';
import { compliant, nonCompliant, notApplicable, notJudged, type Verdict } from './verdict.js';

export const EXPRESS_ENABLED_RULE_NAME = 'ena-express-enabled';

export const expressEnabledParameters = z.object({
  exemptionTagKey: exemptionTagKeyParameter,
  ...stackScopeParameters,
  enaExpressTagKey: tagKeyParameter('ena-guard:ena-express', 'Tag key that puts an instance in scope of ena-express-enabled (with EnaExpressTagValue).'),
  enaExpressTagValue: withTemplateForm(
    z.string().min(1).max(256).default('enabled').describe('a tag value of 1 to 256 characters (default enabled)'),
    {
      summary: 'Tag value that puts an instance in scope of ena-express-enabled: instances tagged EnaExpressTagKey=EnaExpressTagValue are judged.',
      default: 'enabled',
      type: 'String',
      minLength: 1,
      maxLength: 256,
      samples: { accepted: ['enabled', 'true', 'v'.repeat(256)], refused: ['v'.repeat(257)] },
    },
  ),
});
export type ExpressEnabledParameters = z.output<typeof expressEnabledParameters>;

export type ExpressEnabledReason =
  | 'ENA_EXPRESS_ENABLED'
  | 'ENA_EXPRESS_DISABLED'
  | 'NOT_IN_SCOPE'
  | 'TYPE_CANNOT_USE_ENA_EXPRESS'
  | 'PRIMARY_INTERFACE_UNKNOWN'
  | 'ENA_EXPRESS_SETTING_UNKNOWN'
  | InstanceScopeReason;

/** The exact command that turns ENA Express on for one interface (TCP; UDP stays as it is). */
export function enableEnaExpressCommand(networkInterfaceId: string): string {
  return `aws ec2 modify-network-interface-attribute --network-interface-id ${networkInterfaceId} --ena-srd-specification EnaSrdEnabled=true`;
}

export function evaluateExpressEnabled(
  { instance, instanceType }: InstanceRuleFacts,
  parameters: ExpressEnabledParameters,
): Verdict<ExpressEnabledReason> {
  const scope = instanceScope(instance, instanceType?.enaSupport, parameters.exemptionTagKey);
  if (!scope.inScope) return scope.verdict;
  if (instance.tags[parameters.enaExpressTagKey] !== parameters.enaExpressTagValue) {
    return notApplicable(
      `Not in scope: not tagged ${truncate(parameters.enaExpressTagKey, 64)}=${truncate(parameters.enaExpressTagValue, 64)}.`,
      'NOT_IN_SCOPE',
    );
  }
  if (!instanceType?.enaSrdSupported) {
    return notApplicable(`Instance type ${instance.instanceType} cannot use ENA Express.`, 'TYPE_CANNOT_USE_ENA_EXPRESS');
  }
  const primary = primaryNetworkInterface(instance);
  if (!primary) return notJudged(`The primary network interface of ${instance.instanceId} is not listed.`, 'PRIMARY_INTERFACE_UNKNOWN');
  if (primary.enaSrdEnabled === undefined) {
    return notJudged(`The ENA Express setting of ${primary.networkInterfaceId} is not recorded.`, 'ENA_EXPRESS_SETTING_UNKNOWN');
  }
  if (primary.enaSrdEnabled) return compliant(`ENA Express is on for ${primary.networkInterfaceId}.`, 'ENA_EXPRESS_ENABLED');
  return nonCompliant(
    `ENA Express is off on ${primary.networkInterfaceId} (${instance.instanceType} supports it). Turn it on: ${enableEnaExpressCommand(primary.networkInterfaceId)}`,
    'ENA_EXPRESS_DISABLED',
  );
}

export const expressEnabledRule = instanceRule({
  id: EXPRESS_ENABLED_RULE_NAME,
  description: 'Instances tagged for ENA Express whose type supports it have ENA Express on their primary network interface.',
  reportedResourceTypes: ['AWS::EC2::Instance'],
  triggers: { changeResourceTypes: [], periodic: true },
  deployment: 'opt-in',
  parameters: expressEnabledParameters,
  factSources: ['fleet'],
  evaluate: evaluateExpressEnabled,
});

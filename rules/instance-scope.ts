/**
 * The questions every instance rule asks before its own: is the instance exempt, is it going
 * away, and do we know what its type can do? Shared so that both instance rules answer them the
 * same way, in the same order.
 */
import { exemptionVerdict } from './exemption.js';
import type { EnaCapability, InstanceFacts } from './facts.js';
import { notApplicable, notJudged, type Verdict } from './verdict.js';

export type InstanceScopeReason = 'EXEMPT' | 'INSTANCE_GONE' | 'INSTANCE_TYPE_UNKNOWN';

export type InstanceScope =
  | { readonly inScope: false; readonly verdict: Verdict<InstanceScopeReason> }
  | { readonly inScope: true; readonly enaCapability: EnaCapability };

/**
 * Out of scope (with its verdict) when exempt (a valid exemption on the day the facts were read),
 * terminated or shutting down, or of an unknown type.
 */
export function instanceScope(
  instance: InstanceFacts,
  enaCapability: EnaCapability | undefined,
  exemptionTagKey: string,
): InstanceScope {
  const exempt = exemptionVerdict(instance.tags, exemptionTagKey, instance.observedOn);
  if (exempt) return { inScope: false, verdict: exempt };
  if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    return { inScope: false, verdict: notApplicable(`Instance is ${instance.state}.`, 'INSTANCE_GONE') };
  }
  if (enaCapability === undefined) {
    const detail = `ENA capability of instance type ${instance.instanceType} is unknown (DescribeInstanceTypes does not list it here): not judged.`;
    return { inScope: false, verdict: notJudged(detail, 'INSTANCE_TYPE_UNKNOWN') };
  }
  return { inScope: true, enaCapability };
}

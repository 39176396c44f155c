/** Binds the pure `ena-instance-enabled` rule to a FleetReader, for the engine and the CLI. */
import {
  INSTANCE_ENABLED_RULE_NAME,
  evaluateInstanceEnabled,
  instanceEnabledParameters,
} from '../../rules/instance-enabled.js';
import type { EnaCapability, InstanceFacts } from '../../rules/facts.js';
import { notJudged } from '../../rules/verdict.js';
import type { ConfigRuleSpec, ResourceResult } from '../engine/rule-spec.js';
import { describeError } from '../errors.js';
import type { FleetReader } from '../facts/fleet-reader.js';
import { instanceFactsFromConfigurationItem } from './configuration-item.js';

export const INSTANCE_RESOURCE_TYPE = 'AWS::EC2::Instance';

export function instanceEnabledCheck(fleet: FleetReader): ConfigRuleSpec<typeof instanceEnabledParameters> {
  return {
    name: INSTANCE_ENABLED_RULE_NAME,
    parameters: instanceEnabledParameters,
    changeResourceTypes: [INSTANCE_RESOURCE_TYPE],
    sweptResourceTypes: [INSTANCE_RESOURCE_TYPE],

    async judgeChange(item, parameters) {
      const instance = instanceFactsFromConfigurationItem(item);
      const capabilities = await fleet.enaCapabilities([instance.instanceType]);
      return judge(instance, capabilities.get(instance.instanceType), parameters);
    },

    async *sweep(parameters) {
      for await (const page of fleet.instancePages()) {
        const lookup = await capabilitiesFor(fleet, page);
        yield page.map((instance) =>
          lookup.ok
            ? judge(instance, lookup.capabilities.get(instance.instanceType), parameters)
            : { ...subjectOf(instance), verdict: notJudged(lookup.detail, 'FACTS_UNAVAILABLE') },
        );
      }
    },
  };
}

function judge(
  instance: InstanceFacts,
  enaCapability: EnaCapability | undefined,
  parameters: Parameters<typeof evaluateInstanceEnabled>[1],
): ResourceResult {
  return { ...subjectOf(instance), verdict: evaluateInstanceEnabled({ instance, enaCapability }, parameters) };
}

export function subjectOf(instance: InstanceFacts) {
  return {
    resourceType: INSTANCE_RESOURCE_TYPE,
    resourceId: instance.instanceId,
    details: { instanceType: instance.instanceType, state: instance.state, platform: instance.platform },
  };
}

/** Looks up a page's types once; a failed lookup leaves the page unjudged instead of failing the sweep. */
export async function capabilitiesFor(
  fleet: FleetReader,
  instances: readonly InstanceFacts[],
): Promise<{ ok: true; capabilities: ReadonlyMap<string, EnaCapability> } | { ok: false; detail: string }> {
  try {
    return { ok: true, capabilities: await fleet.enaCapabilities(instances.map((instance) => instance.instanceType)) };
  } catch (error) {
    return { ok: false, detail: describeError(error) };
  }
}

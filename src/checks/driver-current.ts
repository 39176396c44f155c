/**
 * Binds the pure `ena-driver-current` rule to the fleet and inventory readers.
 *
 * Calls: a change event makes one ListInventoryEntries (plus the type lookup when the type is not
 * cached). A sweep reads the fleet pages, lists the managed instances once
 * (DescribeInstanceInformation, 50 per page), and calls ListInventoryEntries only for managed
 * instances whose verdict needs it, at most `inventoryConcurrency` at a time.
 */
import pLimit from 'p-limit';
import {
  DRIVER_CURRENT_RULE_NAME,
  driverCurrentParameters,
  evaluateDriverCurrent,
  needsDriverInventory,
  type DriverCurrentParameters,
} from '../../rules/driver-current.js';
import type { EnaCapability, InstanceFacts } from '../../rules/facts.js';
import { notJudged } from '../../rules/verdict.js';
import type { ConfigRuleSpec, ResourceResult } from '../engine/rule-spec.js';
import type { FleetReader } from '../facts/fleet-reader.js';
import { instanceFactsFromConfigurationItem } from './configuration-item.js';
import type { DriverInventoryLookup, InventoryReader, ManagedInstance } from '../facts/inventory-reader.js';
import { INSTANCE_RESOURCE_TYPE, capabilitiesFor, subjectOf } from './instance-enabled.js';

export function driverCurrentCheck(fleet: FleetReader, inventory: InventoryReader): ConfigRuleSpec<typeof driverCurrentParameters> {
  return {
    name: DRIVER_CURRENT_RULE_NAME,
    parameters: driverCurrentParameters,
    changeResourceTypes: [INSTANCE_RESOURCE_TYPE],
    sweptResourceTypes: [INSTANCE_RESOURCE_TYPE],

    async judgeChange(item, parameters) {
      const instance = instanceFactsFromConfigurationItem(item);
      const capability = (await fleet.enaCapabilities([instance.instanceType])).get(instance.instanceType);
      const lookup = needsDriverInventory(instance, capability, parameters) ? await inventory.driverInventory(instance.instanceId) : undefined;
      return judge(instance, capability, lookup, parameters);
    },

    async *sweep(parameters) {
      let managed: ReadonlyMap<string, ManagedInstance> | undefined;
      const limit = pLimit(parameters.inventoryConcurrency);
      for await (const page of fleet.instancePages()) {
        const capabilities = await capabilitiesFor(fleet, page);
        if (!capabilities.ok) {
          yield page.map((instance) => ({ ...subjectOf(instance), verdict: notJudged(capabilities.detail, 'FACTS_UNAVAILABLE') }));
          continue;
        }
        managed ??= await inventory.managedInstances();
        const known = managed;
        yield await Promise.all(
          page.map((instance) =>
            limit(async () => {
              const capability = capabilities.capabilities.get(instance.instanceType);
              let lookup: DriverInventoryLookup | undefined;
              if (needsDriverInventory(instance, capability, parameters)) {
                lookup = known.has(instance.instanceId) ? await inventory.driverInventory(instance.instanceId) : { kind: 'not-managed' };
              }
              return judge(instance, capability, lookup, parameters);
            }),
          ),
        );
      }
    },
  };
}

function judge(
  instance: InstanceFacts,
  enaCapability: EnaCapability | undefined,
  lookup: DriverInventoryLookup | undefined,
  parameters: DriverCurrentParameters,
): ResourceResult {
  const subject = subjectOf(instance);
  if (lookup?.kind === 'unreadable') return { ...subject, verdict: notJudged(lookup.detail, 'INVENTORY_UNREADABLE') };
  const verdict = evaluateDriverCurrent(
    {
      instance,
      enaCapability,
      managed: lookup === undefined ? undefined : lookup.kind !== 'not-managed',
      inventory: lookup?.kind === 'found' ? lookup.inventory : undefined,
    },
    parameters,
  );
  const details: Record<string, string> = { ...subject.details };
  if (lookup?.kind === 'found') details.driverVersion = lookup.inventory.driverVersion ?? `kernel ${lookup.inventory.kernelRelease ?? '?'}`;
  return { ...subject, details, verdict };
}

/**
 * The one binder of instance rules: it turns an {@link InstanceRuleDeclaration} and its fact
 * sources into what the engine runs. It parses the configuration item of a change event, sweeps
 * the fleet a DescribeInstances page at a time, looks each page's types up once, reads the driver
 * inventory only for rules that need it (at most `driverInventoryConcurrency` calls at a time),
 * and maps facts it could not get to "not judged", never to a verdict.
 *
 * Calls per sweep: the fleet pages, ⌈new types/100⌉ DescribeInstanceTypes, and for inventory
 * rules one DescribeInstanceInformation listing plus one ListInventoryEntries per managed
 * instance whose verdict needs it.
 */
import pLimit from 'p-limit';
import type { InstanceRuleDeclaration, InstanceRuleFacts } from '../../rules/declaration.js';
import type { InstanceFacts, InstanceTypeFacts } from '../../rules/facts.js';
import { describeStackScope, inStackScope, stackScopeOf } from '../../rules/stack-scope.js';
import { notApplicable, notJudged } from '../../rules/verdict.js';
import type { ConfigRuleSpec, EngineReason, ResourceResult } from '../engine/rule-spec.js';
import { FactsUnavailableError, describeError } from '../errors.js';
import type { FleetReader } from '../facts/fleet-reader.js';
import type { DriverInventoryLookup, InventoryReader, ManagedInstance } from '../facts/inventory-reader.js';
import { instanceFactsFromConfigurationItem } from './configuration-item.js';

export const INSTANCE_RESOURCE_TYPE = 'AWS::EC2::Instance';

/** ListInventoryEntries calls in flight when the rule does not say (its own parameter usually does). */
const DEFAULT_INVENTORY_CONCURRENCY = 8;

export interface InstanceRuleSources {
  readonly fleet: FleetReader;
  /** Required when the rule declares the `inventory` source. */
  readonly inventory?: InventoryReader;
  /** The time of the run: dates a change event's facts (`observedOn`), as the fleet reader dates its own. */
  readonly now: () => Date;
}

export function bindInstanceRule(rule: InstanceRuleDeclaration, sources: InstanceRuleSources): ConfigRuleSpec {
  const inventory = rule.factSources.includes('inventory') ? sources.inventory : undefined;
  if (rule.factSources.includes('inventory') && !inventory) throw new Error(`${rule.id} reads inventory: pass an InventoryReader.`);
  const { fleet, now } = sources;

  /** The inventory lookup a verdict needs, or undefined when the rule reads none or this instance needs none. */
  const driverLookup = async (facts: InstanceRuleFacts, parameters: Record<string, unknown>, managed?: ReadonlyMap<string, ManagedInstance>) => {
    if (!inventory || !rule.needsDriverInventory?.(facts, parameters)) return undefined;
    if (managed && !managed.has(facts.instance.instanceId)) return { kind: 'not-managed' } as const;
    return inventory.driverInventory(facts.instance.instanceId);
  };

  return {
    name: rule.id,
    parameters: rule.parameters,
    changeResourceTypes: rule.triggers.changeResourceTypes,
    sweptResourceTypes: [...rule.reportedResourceTypes, ...(rule.formerResourceTypes ?? [])],

    ...(rule.triggers.changeResourceTypes.length > 0
      ? {
          async judgeChange(item, parameters) {
            const instance = instanceFactsFromConfigurationItem(item, now());
            const scope = stackScopeOf(parameters);
            if (scope && !inStackScope(instance.tags, scope)) {
              return { ...subjectOf(instance), verdict: notApplicable<EngineReason>(`Outside this stack's scope: not ${describeStackScope(scope)}.`, 'OUT_OF_STACK_SCOPE') };
            }
            const types = await fleet.instanceTypes([instance.instanceType]);
            const facts = { instance, instanceType: types.get(instance.instanceType) };
            return judge(rule, facts, await driverLookup(facts, parameters), parameters);
          },
        }
      : {}),

    async *sweep(parameters, context) {
      let managed: ReadonlyMap<string, ManagedInstance> | undefined;
      const limit = pLimit(inventory?.maxConcurrentLookups ?? rule.driverInventoryConcurrency?.(parameters) ?? DEFAULT_INVENTORY_CONCURRENCY);
      const scope = stackScopeOf(parameters);
      for await (const listed of fleet.instancePages(scope)) {
        // EC2 filtered by the tag already; checked again so that every source honours the scope alike.
        const page = listed.filter((instance) => inStackScope(instance.tags, scope));
        const types = await typesOf(fleet, page);
        if (!types.ok) {
          yield page.map((instance) => ({ ...subjectOf(instance), verdict: notJudged<EngineReason>(types.detail, 'FACTS_UNAVAILABLE') }));
          continue;
        }
        const pageFacts = page.map((instance) => ({ instance, instanceType: types.byName.get(instance.instanceType) }));
        if (!inventory) {
          yield pageFacts.map((facts) => judge(rule, facts, undefined, parameters));
          continue;
        }
        managed ??= await inventory.managedInstances();
        const known = managed;
        yield await Promise.all(pageFacts.map((facts) => limit(async () => judge(rule, facts, await driverLookup(facts, parameters, known), parameters))));
      }
      for (const problem of inventory?.problems?.() ?? []) context.log.warn(problem);
    },
  };
}

function judge(rule: InstanceRuleDeclaration, facts: InstanceRuleFacts, lookup: DriverInventoryLookup | undefined, parameters: Record<string, unknown>): ResourceResult {
  const subject = subjectOf(facts.instance);
  if (lookup?.kind === 'unreadable') return { ...subject, verdict: notJudged<EngineReason>(lookup.detail, 'INVENTORY_UNREADABLE') };
  const driver = lookup === undefined ? undefined : { managed: lookup.kind !== 'not-managed', inventory: lookup.kind === 'found' ? lookup.inventory : undefined };
  const verdict = rule.evaluate(driver ? { ...facts, driver } : facts, parameters);
  if (lookup?.kind !== 'found') return { ...subject, verdict };
  const driverVersion = lookup.inventory.driverVersion ?? `kernel ${lookup.inventory.kernelRelease ?? '?'}`;
  return { ...subject, details: { ...subject.details, driverVersion }, verdict };
}

export function subjectOf(instance: InstanceFacts) {
  return {
    resourceType: INSTANCE_RESOURCE_TYPE,
    resourceId: instance.instanceId,
    details: { instanceType: instance.instanceType, state: instance.state, platform: instance.platform },
  };
}

/** Looks up a page's types once; a failed lookup leaves the page unjudged instead of failing the sweep. */
async function typesOf(
  fleet: FleetReader,
  instances: readonly InstanceFacts[],
): Promise<{ ok: true; byName: ReadonlyMap<string, InstanceTypeFacts> } | { ok: false; detail: string }> {
  try {
    return { ok: true, byName: await fleet.instanceTypes(instances.map((instance) => instance.instanceType)) };
  } catch (error) {
    if (!(error instanceof FactsUnavailableError)) throw error;
    return { ok: false, detail: describeError(error) };
  }
}

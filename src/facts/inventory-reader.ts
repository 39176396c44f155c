/**
 * The InventoryReader port: what Systems Manager knows about the guests. Which instances are
 * managed (DescribeInstanceInformation), and each one's `Custom:EnaDriver` inventory item
 * (ListInventoryEntries, one instance per call: GetInventory cannot return the contents of custom
 * inventory types; the bulk read is the resource data sync, src/facts/synced-inventory-reader.ts).
 */
import type { EnaDriverInventory } from '../../rules/inventory.js';

export interface ManagedInstance {
  readonly instanceId: string;
  /** `Online`, `ConnectionLost` or `Inactive`. */
  readonly pingStatus: string | undefined;
  readonly platformType: string | undefined;
  readonly platformName: string | undefined;
  readonly platformVersion: string | undefined;
}

export type DriverInventoryLookup =
  | { readonly kind: 'found'; readonly inventory: EnaDriverInventory }
  /** Managed, but no `Custom:EnaDriver` item has been collected yet. */
  | { readonly kind: 'none' }
  /** Systems Manager does not know the instance (no agent, no role, or not registered). */
  | { readonly kind: 'not-managed' }
  /** The read failed or the item is malformed: the instance must not be judged. */
  | { readonly kind: 'unreadable'; readonly detail: string };

export interface InventoryReader {
  /** Every EC2 instance registered with Systems Manager, by instance id. A sweep calls it once, first. */
  managedInstances(): Promise<ReadonlyMap<string, ManagedInstance>>;
  /** The instance's ENA driver inventory; never throws. */
  driverInventory(instanceId: string): Promise<DriverInventoryLookup>;
  /** Lookups in flight a sweep may run, when the reader knows better than the rule's parameter (a bulk source). */
  readonly maxConcurrentLookups?: number;
  /** What degraded since the last managedInstances() call, for the sweep's log. */
  problems?(): readonly string[];
}

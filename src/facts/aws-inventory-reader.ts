/** The live-account InventoryReader: SSM through the SDK, paginated, errors mapped to lookups. */
import { ListInventoryEntriesCommand, paginateDescribeInstanceInformation, type SSMClient } from '@aws-sdk/client-ssm';
import { ENA_DRIVER_INVENTORY_TYPE, parseEnaDriverInventoryEntries } from '../../rules/inventory.js';
import { FactsUnavailableError, describeError } from '../errors.js';
import type { DriverInventoryLookup, InventoryReader, ManagedInstance } from './inventory-reader.js';

/** DescribeInstanceInformation's largest page. */
export const INSTANCE_INFORMATION_PER_PAGE = 50;

export class AwsInventoryReader implements InventoryReader {
  constructor(private readonly ssm: SSMClient) {}

  async managedInstances(): Promise<ReadonlyMap<string, ManagedInstance>> {
    const managed = new Map<string, ManagedInstance>();
    try {
      const pages = paginateDescribeInstanceInformation(
        { client: this.ssm, pageSize: INSTANCE_INFORMATION_PER_PAGE },
        { Filters: [{ Key: 'ResourceType', Values: ['EC2Instance'] }] },
      );
      for await (const page of pages) {
        for (const info of page.InstanceInformationList ?? []) {
          if (!info.InstanceId) continue;
          managed.set(info.InstanceId, {
            instanceId: info.InstanceId,
            pingStatus: info.PingStatus,
            platformType: info.PlatformType,
            platformName: info.PlatformName,
            platformVersion: info.PlatformVersion,
          });
        }
      }
    } catch (error) {
      throw new FactsUnavailableError(`DescribeInstanceInformation failed: ${describeError(error)}`, { cause: error });
    }
    return managed;
  }

  async driverInventory(instanceId: string): Promise<DriverInventoryLookup> {
    let entries;
    try {
      const response = await this.ssm.send(new ListInventoryEntriesCommand({ InstanceId: instanceId, TypeName: ENA_DRIVER_INVENTORY_TYPE }));
      entries = response.Entries;
    } catch (error) {
      const name = (error as { name?: string }).name;
      // InvalidInstanceId: "the instance isn't a managed node" among other causes (SSM API reference).
      if (name === 'InvalidInstanceId') return { kind: 'not-managed' };
      // InvalidTypeNameException: no instance of the account has ever reported Custom:EnaDriver.
      if (name === 'InvalidTypeNameException') return { kind: 'none' };
      return { kind: 'unreadable', detail: `ListInventoryEntries failed for ${instanceId}: ${describeError(error)}` };
    }
    return lookupFromEntries(instanceId, entries);
  }
}

/** Maps the `Entries` of a ListInventoryEntries answer (live or exported) to a lookup. */
export function lookupFromEntries(
  instanceId: string,
  entries: readonly Readonly<Record<string, string>>[] | undefined,
): DriverInventoryLookup {
  const parsed = parseEnaDriverInventoryEntries(entries);
  if (!parsed.ok) return { kind: 'unreadable', detail: `${instanceId}: ${parsed.message}` };
  return parsed.value ? { kind: 'found', inventory: parsed.value } : { kind: 'none' };
}

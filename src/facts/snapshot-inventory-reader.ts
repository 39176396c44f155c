/**
 * The offline InventoryReader, from files the AWS CLI prints:
 *
 *   aws ssm describe-instance-information --output json > describe-instance-information.json
 *   aws ssm list-inventory-entries --instance-id ID --type-name Custom:EnaDriver --output json \
 *     > inventory/ID.json                                  (one file per managed instance)
 *
 * A managed instance without a file has collected no inventory yet.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { MissingSnapshotFileError } from '../errors.js';
import { lookupFromEntries } from './aws-inventory-reader.js';
import type { DriverInventoryLookup, InventoryReader, ManagedInstance } from './inventory-reader.js';
import { readSnapshotFile } from './snapshot-fleet-reader.js';

export const INVENTORY_SNAPSHOT_FILES = {
  instanceInformation: 'describe-instance-information.json',
  inventoryFolder: 'inventory',
} as const;

const describeInstanceInformationSchema = z.looseObject({
  InstanceInformationList: z.array(
    z.looseObject({
      InstanceId: z.string().min(1),
      PingStatus: z.string().optional(),
      PlatformType: z.string().optional(),
      PlatformName: z.string().optional(),
      PlatformVersion: z.string().optional(),
    }),
  ),
});

const listInventoryEntriesSchema = z.looseObject({
  InstanceId: z.string().optional(),
  TypeName: z.string().optional(),
  Entries: z.array(z.record(z.string(), z.string())).optional(),
});

export class SnapshotInventoryReader implements InventoryReader {
  private managed: Promise<ReadonlyMap<string, ManagedInstance>> | undefined;

  constructor(readonly directory: string) {}

  managedInstances(): Promise<ReadonlyMap<string, ManagedInstance>> {
    return (this.managed ??= this.loadManaged());
  }

  async driverInventory(instanceId: string): Promise<DriverInventoryLookup> {
    if (!(await this.managedInstances()).has(instanceId)) return { kind: 'not-managed' };
    try {
      const file = join(INVENTORY_SNAPSHOT_FILES.inventoryFolder, `${instanceId}.json`);
      const output = await readSnapshotFile(this.directory, file, listInventoryEntriesSchema);
      return lookupFromEntries(instanceId, output.Entries);
    } catch (error) {
      if (error instanceof MissingSnapshotFileError) return { kind: 'none' };
      return { kind: 'unreadable', detail: (error as Error).message };
    }
  }

  private async loadManaged(): Promise<ReadonlyMap<string, ManagedInstance>> {
    const output = await readSnapshotFile(this.directory, INVENTORY_SNAPSHOT_FILES.instanceInformation, describeInstanceInformationSchema);
    return new Map(
      output.InstanceInformationList.map((info) => [
        info.InstanceId,
        {
          instanceId: info.InstanceId,
          pingStatus: info.PingStatus,
          platformType: info.PlatformType,
          platformName: info.PlatformName,
          platformVersion: info.PlatformVersion,
        },
      ]),
    );
  }
}

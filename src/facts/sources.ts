/**
 * The fact sources a set of checks reads from, built once per run: from a live account
 * ({@link awsSources}) or from a folder of AWS CLI exports ({@link snapshotSources}).
 */
import type { AwsClients } from '../aws/clients.js';
import { AwsFleetReader } from './aws-fleet-reader.js';
import { AwsImageReader } from './aws-image-reader.js';
import { AwsInventoryReader } from './aws-inventory-reader.js';
import type { FleetReader } from './fleet-reader.js';
import type { ImageReader } from './image-reader.js';
import { InstanceTypeCatalog } from './instance-type-catalog.js';
import type { InventoryReader } from './inventory-reader.js';
import { SnapshotFleetReader } from './snapshot-fleet-reader.js';
import { SnapshotImageReader } from './snapshot-image-reader.js';
import { SnapshotInventoryReader } from './snapshot-inventory-reader.js';

export interface FactSources {
  readonly fleet: FleetReader;
  readonly inventory: InventoryReader;
  readonly images: ImageReader;
}

export function awsSources(clients: AwsClients): FactSources {
  return {
    fleet: new AwsFleetReader(clients.ec2, new InstanceTypeCatalog(clients.ec2)),
    inventory: new AwsInventoryReader(clients.ssm),
    images: new AwsImageReader(clients.ec2),
  };
}

export function snapshotSources(directory: string): FactSources {
  return {
    fleet: new SnapshotFleetReader(directory),
    inventory: new SnapshotInventoryReader(directory),
    images: new SnapshotImageReader(directory),
  };
}

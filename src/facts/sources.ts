/**
 * The fact sources a set of checks reads from, built once per run: from a live account
 * ({@link awsSources}) or from a folder of AWS CLI exports ({@link snapshotSources}), with the one
 * clock that dates every fact they give (`observedOn`, which exemption expiries are compared with).
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
  /** The time of the run: dates the facts the readers give and those a change event carries. */
  readonly now: () => Date;
}

export function awsSources(clients: AwsClients, now: () => Date): FactSources {
  return {
    fleet: new AwsFleetReader(clients.ec2, new InstanceTypeCatalog(clients.ec2), now),
    inventory: new AwsInventoryReader(clients.ssm),
    images: new AwsImageReader(clients.ec2, now),
    now,
  };
}

/** @param now the time of the run, not of the export. */
export function snapshotSources(directory: string, now: () => Date): FactSources {
  return {
    fleet: new SnapshotFleetReader(directory, now),
    inventory: new SnapshotInventoryReader(directory),
    images: new SnapshotImageReader(directory, now),
    now,
  };
}

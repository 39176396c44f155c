import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescribeInstancesResult } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { SnapshotError } from '../../src/errors.js';
import { SnapshotFleetReader } from '../../src/facts/snapshot-fleet-reader.js';
import { OBSERVED_ON, fixedClock, sdkInstance, sdkInstanceType } from '../support/instances.js';

const created: string[] = [];
afterAll(() => {
  for (const directory of created) rmSync(directory, { recursive: true, force: true });
});

function snapshotWith(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'ena-guard-snapshot-'));
  created.push(directory);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(directory, name), content);
  return directory;
}

const instances: DescribeInstancesResult = {
  Reservations: [
    { ReservationId: 'r-1', OwnerId: '123456789012', Instances: [sdkInstance(1), sdkInstance(2, { State: { Code: 48, Name: 'terminated' } })] },
  ],
};
const types = { InstanceTypes: [sdkInstanceType('m5.large', 'required')] };

async function firstPage(reader: SnapshotFleetReader) {
  for await (const page of reader.instancePages()) return page;
  return [];
}

describe('SnapshotFleetReader', () => {
  it('reads CLI exports and leaves terminated instances out', async () => {
    const reader = new SnapshotFleetReader(
      snapshotWith({ 'describe-instances.json': JSON.stringify(instances), 'describe-instance-types.json': JSON.stringify(types) }),
      fixedClock,
    );

    const page = await firstPage(reader);
    const known = await reader.instanceTypes(['m5.large', 'm9z.large']);

    expect(page.map((instance) => instance.instanceId)).toEqual([sdkInstance(1).InstanceId]);
    expect(page.map((instance) => instance.observedOn)).toEqual([OBSERVED_ON]);
    expect([...known]).toEqual([['m5.large', { instanceType: 'm5.large', enaSupport: 'required', enaSrdSupported: false, hypervisor: 'nitro' }]]);
  });

  it('dates the facts with the UTC day of the run, not of the export', async () => {
    // 23:30 in New York on the 20th is already the 21st in UTC; the export itself is older still.
    const reader = new SnapshotFleetReader(snapshotWith({ 'describe-instances.json': JSON.stringify(instances) }), () => new Date('2026-11-20T23:30:00-05:00'));

    const page = await firstPage(reader);

    expect(page.map((instance) => instance.observedOn)).toEqual(['2026-11-21']);
  });

  it('names the missing file', async () => {
    const directory = snapshotWith({});

    await expect(firstPage(new SnapshotFleetReader(directory, fixedClock))).rejects.toThrow(`${join(directory, 'describe-instances.json')}: file not found`);
  });

  it('names a file that is not JSON', async () => {
    const reader = new SnapshotFleetReader(snapshotWith({ 'describe-instances.json': '{"Reservations": [' }), fixedClock);

    await expect(firstPage(reader)).rejects.toThrow(/describe-instances\.json: is not valid JSON/);
  });

  it('names the path inside a file whose shape is not the API output', async () => {
    const broken = { Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] }] };
    const reader = new SnapshotFleetReader(snapshotWith({ 'describe-instances.json': JSON.stringify(broken) }), fixedClock);

    const failure = firstPage(reader);

    await expect(failure).rejects.toBeInstanceOf(SnapshotError);
    await expect(failure).rejects.toThrow(/describe-instances\.json: Reservations\[0\]\.Instances\[0\]\.InstanceType: /);
  });

  it('names an instance type whose ENA capability is not one EC2 uses', async () => {
    const reader = new SnapshotFleetReader(
      snapshotWith({ 'describe-instance-types.json': JSON.stringify({ InstanceTypes: [{ InstanceType: 'm5.large', NetworkInfo: { EnaSupport: 'maybe' } }] }) }),
      fixedClock,
    );

    await expect(reader.instanceTypes(['m5.large'])).rejects.toThrow(/InstanceTypes\[0\]\.NetworkInfo\.EnaSupport/);
  });
});

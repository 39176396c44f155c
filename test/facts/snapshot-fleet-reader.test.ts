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

async function allInstances(reader: SnapshotFleetReader) {
  const all = [];
  for await (const page of reader.instancePages()) all.push(...page);
  return all;
}

/** A fleet as the AWS CLI exports it: reservations of one to three instances, some stopped or terminated. */
function cliFleet(reservations: number): DescribeInstancesResult {
  return {
    Reservations: Array.from({ length: reservations }, (_, reservation) => ({
      ReservationId: `r-${reservation}`,
      OwnerId: '123456789012',
      Instances: Array.from({ length: (reservation % 3) + 1 }, (_, member) =>
        sdkInstance(reservation * 10 + member, member === 1 ? { State: { Code: 80, Name: 'stopped' } } : member === 2 ? { State: { Code: 48, Name: 'terminated' } } : {}),
      ),
    })),
  };
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

  it("reads the AWS CLI's indented output to the same facts as the compact form", async () => {
    const fleet = cliFleet(40);
    const indented = new SnapshotFleetReader(snapshotWith({ 'describe-instances.json': `${JSON.stringify(fleet, null, 4)}\n` }), fixedClock);
    const compact = new SnapshotFleetReader(snapshotWith({ 'describe-instances.json': JSON.stringify(fleet) }), fixedClock);

    const [fromIndented, fromCompact] = [await allInstances(indented), await allInstances(compact)];

    expect(fromIndented).toHaveLength(40 + 26); // every reservation's first instance, and the stopped second ones
    expect(fromIndented).toEqual(fromCompact);
  });

  it('names a truncated file as not JSON, and gives none of the instances read before the cut', async () => {
    const text = JSON.stringify(cliFleet(40), null, 4);
    const reader = new SnapshotFleetReader(snapshotWith({ 'describe-instances.json': text.slice(0, Math.floor(text.length * 0.6)) }), fixedClock);

    const failure = firstPage(reader);

    await expect(failure).rejects.toBeInstanceOf(SnapshotError);
    await expect(failure).rejects.toThrow(/describe-instances\.json: is not valid JSON \(/);
  });

  it('names the path of a wrong type deep inside a later reservation', async () => {
    const fleet = cliFleet(5);
    Object.assign(fleet.Reservations![3]!.Instances![0]!.State!, { Name: 42 });
    const reader = new SnapshotFleetReader(snapshotWith({ 'describe-instances.json': JSON.stringify(fleet, null, 4) }), fixedClock);

    const failure = firstPage(reader);

    await expect(failure).rejects.toBeInstanceOf(SnapshotError);
    await expect(failure).rejects.toThrow(/describe-instances\.json: Reservations\[3\]\.Instances\[0\]\.State\.Name: Invalid option: expected one of "pending"/);
  });

  it('names the top level of a file without Reservations, as for the other snapshot files', async () => {
    const reader = new SnapshotFleetReader(snapshotWith({ 'describe-instances.json': '{"NextToken": "abc"}' }), fixedClock);

    await expect(firstPage(reader)).rejects.toThrow(/describe-instances\.json: Reservations: Invalid input: expected array, received undefined$/);
  });
});

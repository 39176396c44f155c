import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand, type Evaluation } from '@aws-sdk/client-config-service';
import { DescribeInstanceTypesCommand, DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import {
  DescribeInstanceInformationCommand,
  InvalidInstanceId,
  ListInventoryEntriesCommand,
  SSMClient,
  type InstanceInformation,
  type ListInventoryEntriesCommandOutput,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { driverCurrentRule } from '../../rules/driver-current.js';
import { bindInstanceRule } from '../../src/checks/instance-rule.js';
import { runConfigRule } from '../../src/engine/run-rule.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import { AwsInventoryReader } from '../../src/facts/aws-inventory-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';
import { configEvent } from '../support/config-events.js';
import { fixedClock, sdkInstance, sdkInstanceType } from '../support/instances.js';
import { inventoryEntry } from '../support/inventory.js';
import { recordingLog, recordingMetrics } from '../support/recording-log.js';
import { memoryS3 } from '../support/memory-s3.js';
import { SyncedInventoryReader, syncedInventoryFolder } from '../../src/facts/synced-inventory-reader.js';
import type { InventoryReader } from '../../src/facts/inventory-reader.js';

const configMock = mockClient(ConfigServiceClient);
const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);

function run(event: unknown, ssm = new SSMClient({ region: 'eu-west-1' }), inventory: InventoryReader = new AwsInventoryReader(ssm), log = recordingLog()) {
  const ec2 = new EC2Client({ region: 'eu-west-1' });
  const spec = bindInstanceRule(driverCurrentRule, { fleet: new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2), fixedClock), inventory, now: fixedClock });
  return runConfigRule({ ...(event as object), configRuleName: 'ena-driver-current' }, spec, {
    config: new ConfigServiceClient({ region: 'eu-west-1' }),
    log,
    metrics: recordingMetrics(),
    sleep: async () => {},
  });
}

function evaluations(): Evaluation[] {
  return configMock.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
}

function verdictOf(instanceId: string | undefined) {
  return evaluations().find((evaluation) => evaluation.ComplianceResourceId === instanceId);
}

function inventoryOutput(instanceId: string, entries: Record<string, string>[]): ListInventoryEntriesCommandOutput {
  return { $metadata: {}, TypeName: 'Custom:EnaDriver', InstanceId: instanceId, SchemaVersion: '1.0', CaptureTime: '2026-11-22T03:10:12Z', Entries: entries };
}

function managed(instance: Instance): InstanceInformation {
  return { InstanceId: instance.InstanceId, PingStatus: 'Online', PlatformType: 'Linux', PlatformName: 'Amazon Linux', PlatformVersion: '2', ResourceType: 'EC2Instance' };
}

const current = sdkInstance(1, { InstanceType: 'r4.large' });
const outdated = sdkInstance(2, { InstanceType: 'm5.large' });
const noInventory = sdkInstance(3, { InstanceType: 'm5.large' });
const unmanaged = sdkInstance(4, { InstanceType: 'm5.large' });
const incapable = sdkInstance(5, { InstanceType: 'c4.large', EnaSupport: false });
const malformed = sdkInstance(6, { InstanceType: 'm5.large' });

beforeEach(() => {
  configMock.reset();
  ec2Mock.reset();
  ssmMock.reset();
  configMock.on(PutEvaluationsCommand).resolves({});
  configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({});
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({
    InstanceTypes: [sdkInstanceType('r4.large', 'supported'), sdkInstanceType('m5.large', 'required'), sdkInstanceType('c4.large', 'unsupported')],
  });
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [current, outdated, noInventory, unmanaged, incapable, malformed] }] });
  ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [current, outdated, noInventory, incapable, malformed].map(managed) });
  ssmMock.on(ListInventoryEntriesCommand, { InstanceId: current.InstanceId }).resolves(inventoryOutput(current.InstanceId!, [inventoryEntry()]));
  ssmMock.on(ListInventoryEntriesCommand, { InstanceId: outdated.InstanceId }).resolves(inventoryOutput(outdated.InstanceId!, [inventoryEntry({ DriverVersion: '2.1.3g' })]));
  ssmMock.on(ListInventoryEntriesCommand, { InstanceId: noInventory.InstanceId }).resolves(inventoryOutput(noInventory.InstanceId!, []));
  ssmMock.on(ListInventoryEntriesCommand, { InstanceId: malformed.InstanceId }).resolves(inventoryOutput(malformed.InstanceId!, [inventoryEntry({ DriverPresent: 'perhaps' })]));
});

describe('ena-driver-current periodic sweep', () => {
  it('judges each instance from its inventory and reads inventory only where the verdict needs it', async () => {
    const summary = await run(configEvent('periodic'));

    expect(verdictOf(current.InstanceId)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: 'ENA driver 2.17.0g >= 2.10.0 (Linux, out-of-tree).' });
    expect(verdictOf(outdated.InstanceId)).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'ENA driver 2.1.3g < 2.10.0 (Linux, out-of-tree); run EnaGuard-UpdateEnaDriver.',
    });
    expect(verdictOf(noInventory.InstanceId)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringContaining('no Custom:EnaDriver inventory') });
    expect(verdictOf(unmanaged.InstanceId)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringContaining('not managed by Systems Manager') });
    expect(verdictOf(incapable.InstanceId)).toMatchObject({ ComplianceType: 'NOT_APPLICABLE' });
    expect(verdictOf(malformed.InstanceId)).toBeUndefined();
    expect(summary.unjudgedResourceIds).toEqual([malformed.InstanceId]);

    const inventoryReads = ssmMock.commandCalls(ListInventoryEntriesCommand).map((call) => call.args[0].input.InstanceId).sort();
    expect(inventoryReads).toEqual([current, outdated, noInventory, malformed].map((instance) => instance.InstanceId).sort());
    for (const call of ssmMock.commandCalls(ListInventoryEntriesCommand)) expect(call.args[0].input.TypeName).toBe('Custom:EnaDriver');
    expect(ssmMock).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(DescribeInstanceInformationCommand, { MaxResults: 50, Filters: [{ Key: 'ResourceType', Values: ['EC2Instance'] }] });
  });

  it('honours unknownDriver=NOT_APPLICABLE for instances whose driver cannot be known', async () => {
    await run({ ...configEvent('periodic'), ruleParameters: JSON.stringify({ unknownDriver: 'NOT_APPLICABLE' }) });

    expect(verdictOf(noInventory.InstanceId)).toMatchObject({ ComplianceType: 'NOT_APPLICABLE' });
    expect(verdictOf(unmanaged.InstanceId)).toMatchObject({ ComplianceType: 'NOT_APPLICABLE' });
    expect(verdictOf(outdated.InstanceId)).toMatchObject({ ComplianceType: 'NON_COMPLIANT' });
  });

  it('keeps at most inventoryConcurrency reads in flight', async () => {
    const fleet = Array.from({ length: 40 }, (_, index) => sdkInstance(100 + index, { InstanceType: 'm5.large' }));
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: fleet }] });
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: fleet.map(managed) });
    let inFlight = 0;
    let peak = 0;
    ssmMock.on(ListInventoryEntriesCommand).callsFake(async (input: { InstanceId: string }) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return inventoryOutput(input.InstanceId, [inventoryEntry()]);
    });

    await run({ ...configEvent('periodic'), ruleParameters: JSON.stringify({ inventoryConcurrency: '3' }) });

    expect(peak).toBe(3);
    expect(ssmMock).toHaveReceivedCommandTimes(ListInventoryEntriesCommand, 40);
    expect(evaluations().filter((evaluation) => evaluation.ComplianceType === 'COMPLIANT')).toHaveLength(40);
  });

  it('reads every page of managed instances', async () => {
    const fleet = Array.from({ length: 120 }, (_, index) => sdkInstance(200 + index, { InstanceType: 'm5.large' }));
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: fleet }] });
    ssmMock
      .on(DescribeInstanceInformationCommand)
      .resolvesOnce({ InstanceInformationList: fleet.slice(0, 50).map(managed), NextToken: 'p2' })
      .resolvesOnce({ InstanceInformationList: fleet.slice(50, 100).map(managed), NextToken: 'p3' })
      .resolvesOnce({ InstanceInformationList: fleet.slice(100).map(managed) });
    ssmMock.on(ListInventoryEntriesCommand).callsFake(async (input: { InstanceId: string }) => inventoryOutput(input.InstanceId, [inventoryEntry()]));

    await run(configEvent('periodic'));

    expect(ssmMock).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 3);
    expect(ssmMock).toHaveReceivedCommandTimes(ListInventoryEntriesCommand, 120);
    expect(evaluations().every((evaluation) => evaluation.ComplianceType === 'COMPLIANT')).toBe(true);
  });
});

describe('ena-driver-current change notifications', () => {
  it('makes one ListInventoryEntries call for the instance and no DescribeInstanceInformation', async () => {
    ssmMock.on(ListInventoryEntriesCommand).resolves(inventoryOutput('i-0123456789abcdef0', [inventoryEntry({ DriverVersion: '2.1.3g' })]));

    await run(configEvent('change-non-compliant'));

    expect(ssmMock).toHaveReceivedCommandTimes(ListInventoryEntriesCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(ListInventoryEntriesCommand, { InstanceId: 'i-0123456789abcdef0', TypeName: 'Custom:EnaDriver' });
    expect(ssmMock).not.toHaveReceivedCommand(DescribeInstanceInformationCommand);
    expect(evaluations()).toEqual([expect.objectContaining({ ComplianceResourceId: 'i-0123456789abcdef0', ComplianceType: 'NON_COMPLIANT' })]);
  });

  it('reports an instance Systems Manager does not know as not managed', async () => {
    ssmMock.on(ListInventoryEntriesCommand).rejects(new InvalidInstanceId({ $metadata: {}, message: 'Instance is not a managed node' }));

    await run(configEvent('change-non-compliant'));

    expect(evaluations()).toEqual([
      expect.objectContaining({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringContaining('not managed by Systems Manager') }),
    ]);
  });

  it('does not judge the instance when the inventory read fails', async () => {
    ssmMock.on(ListInventoryEntriesCommand).rejects(Object.assign(new Error('We encountered an internal error'), { name: 'InternalServerError' }));

    const summary = await run(configEvent('change-non-compliant'));

    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(summary.unjudgedResourceIds).toEqual(['i-0123456789abcdef0']);
  });
});

describe('ena-driver-current over the SDK\'s real retry', () => {
  it('retries a throttled ListInventoryEntries and judges the instance', async () => {
    ssmMock.restore();
    let calls = 0;
    const handler = {
      async handle(request: { headers: Record<string, string> }) {
        const { Readable } = await import('node:stream');
        calls += 1;
        const target = request.headers['x-amz-target'];
        const throttled = target === 'AmazonSSM.ListInventoryEntries' && calls === 1;
        const body = throttled
          ? { __type: 'ThrottlingException', message: 'Rate exceeded' }
          : inventoryOutput('i-0123456789abcdef0', [inventoryEntry()]);
        const { $metadata: _ignored, ...payload } = body as ListInventoryEntriesCommandOutput;
        return {
          response: {
            statusCode: throttled ? 400 : 200,
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls}` },
            body: Readable.from([Buffer.from(JSON.stringify(payload))]),
          },
        };
      },
    };
    const ssm = new SSMClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
      retryMode: 'adaptive',
      maxAttempts: 3,
      requestHandler: handler as never,
    });

    await run(configEvent('change-compliant'), ssm);

    expect(calls).toBe(2);
    expect(evaluations()).toEqual([expect.objectContaining({ ComplianceType: 'COMPLIANT', Annotation: 'ENA driver 2.17.0g >= 2.10.0 (Linux, out-of-tree).' })]);
    ssmMock.reset();
  });
});

describe('ena-driver-current with the inventory data sync', () => {
  const location = { prefix: 'inventory-sync', accountId: '123456789012', region: 'eu-west-1' };
  const folder = syncedInventoryFolder(location);

  function synced() {
    const s3 = memoryS3();
    const line = (instance: Instance, entry: Record<string, string>) =>
      `${JSON.stringify({ ...entry, resourceId: instance.InstanceId, captureTime: '2026-11-22T03:10:12Z', schemaVersion: '1.0' })}\n`;
    s3.objects.set(`${folder}${current.InstanceId}.json`, new TextEncoder().encode(line(current, inventoryEntry())));
    s3.objects.set(`${folder}${outdated.InstanceId}.json`, new TextEncoder().encode(line(outdated, inventoryEntry({ DriverVersion: '2.1.3g' }))));
    s3.objects.set(`${folder}${malformed.InstanceId}.json`, new TextEncoder().encode(line(malformed, inventoryEntry({ DriverPresent: 'perhaps' }))));
    const ssm = new SSMClient({ region: 'eu-west-1' });
    const reader = new SyncedInventoryReader({ s3: s3.client, bucket: 'state', ...location, fallback: new AwsInventoryReader(ssm) });
    return { s3, ssm, reader };
  }

  it('gives the verdicts ListInventoryEntries gives, reading only what the sync lacks one instance at a time', async () => {
    const { ssm, reader } = synced();

    const summary = await run(configEvent('periodic'), ssm, reader);

    expect(verdictOf(current.InstanceId)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: 'ENA driver 2.17.0g >= 2.10.0 (Linux, out-of-tree).' });
    expect(verdictOf(outdated.InstanceId)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringContaining('2.1.3g < 2.10.0') });
    expect(verdictOf(noInventory.InstanceId)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringContaining('no Custom:EnaDriver inventory') });
    expect(verdictOf(unmanaged.InstanceId)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringContaining('not managed by Systems Manager') });
    expect(summary.unjudgedResourceIds).toEqual([malformed.InstanceId]);
    expect(ssmMock.commandCalls(ListInventoryEntriesCommand).map((call) => call.args[0].input.InstanceId)).toEqual([noInventory.InstanceId]);
    expect(reader.counters).toMatchObject({ listPages: 1, objectsRead: 3, fallbacks: 1 });
  });

  it('reads every instance with ListInventoryEntries when the sync cannot be listed, and says so in the log', async () => {
    const { s3, ssm, reader } = synced();
    s3.failing('ListObjectsV2');
    const log = recordingLog();

    await run(configEvent('periodic'), ssm, reader, log);

    expect(verdictOf(outdated.InstanceId)).toMatchObject({ ComplianceType: 'NON_COMPLIANT' });
    expect(ssmMock).toHaveReceivedCommandTimes(ListInventoryEntriesCommand, 4);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('Inventory data sync not read') }));
  });

  it('runs as many lookups at once as the sync reader allows, not the rule\'s inventoryConcurrency', async () => {
    const fleet = Array.from({ length: 40 }, (_, index) => sdkInstance(100 + index, { InstanceType: 'm5.large' }));
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: fleet }] });
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: fleet.map(managed) });
    const s3 = memoryS3();
    for (const instance of fleet) s3.objects.set(`${folder}${instance.InstanceId}.json`, new TextEncoder().encode(`${JSON.stringify(inventoryEntry())}\n`));
    let inFlight = 0;
    let peak = 0;
    const ssm = new SSMClient({ region: 'eu-west-1' });
    const reader = new SyncedInventoryReader({ s3: s3.client, bucket: 'state', ...location, getConcurrency: 20, fallback: new AwsInventoryReader(ssm) });
    const original = reader.driverInventory.bind(reader);
    reader.driverInventory = async (instanceId) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      try {
        return await original(instanceId);
      } finally {
        inFlight -= 1;
      }
    };

    await run({ ...configEvent('periodic'), ruleParameters: JSON.stringify({ inventoryConcurrency: '3' }) }, ssm, reader);

    expect(peak).toBe(20);
    expect(evaluations().filter((evaluation) => evaluation.ComplianceType === 'COMPLIANT')).toHaveLength(40);
  });
});

/**
 * Fleet-scale benchmark: runs the rule sweeps through the real engine and fact readers against
 * in-memory AWS responses (aws-sdk-client-mock), counts the AWS calls per operation, and reports
 * timings as ratios taken side by side in this one run (never absolute thresholds).
 *
 *   npm run bench               fleets of 1,000 and 10,000 instances
 *   npm run bench -- 2000 20000 other sizes
 *
 * Simulated latency: ListInventoryEntries answers after LATENCY_MS, so the concurrency ratio
 * shows what `inventoryConcurrency` buys.
 */
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeInstanceTypesCommand, DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, ListInventoryEntriesCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { DEMO_FLEET } from '../src/cli/main.js';
import { simulateRunbook } from '../src/cli/simulate.js';
import { bindInstanceRule } from '../src/checks/instance-rule.js';
import { driverCurrentRule } from '../rules/driver-current.js';
import { instanceEnabledRule } from '../rules/instance-enabled.js';
import { noMetrics, silentLog } from '../src/engine/ports.js';
import type { ConfigRuleSpec } from '../src/engine/rule-spec.js';
import { runConfigRule, type RunSummary } from '../src/engine/run-rule.js';
import { AwsFleetReader } from '../src/facts/aws-fleet-reader.js';
import { AwsInventoryReader } from '../src/facts/aws-inventory-reader.js';
import { InstanceTypeCatalog } from '../src/facts/instance-type-catalog.js';

const LATENCY_MS = 2;
const TYPES = ['m5.large', 'm5.xlarge', 'r4.large', 'c4.large', 'c5.large', 'i3.large', 't2.micro', 'm6i.large'] as const;
const CAPABILITY: Record<string, 'required' | 'supported' | 'unsupported'> = { 'm5.large': 'required', 'm5.xlarge': 'required', 'c5.large': 'required', 'm6i.large': 'required', 'r4.large': 'supported', 'i3.large': 'supported', 'c4.large': 'unsupported', 't2.micro': 'unsupported' };

function instance(index: number): Instance {
  return {
    InstanceId: `i-${index.toString(16).padStart(17, '0')}`,
    InstanceType: TYPES[index % TYPES.length],
    State: { Code: 16, Name: 'running' },
    EnaSupport: index % 5 !== 0,
    RootDeviceType: 'ebs',
    VirtualizationType: 'hvm',
    ImageId: 'ami-0abcdef1234567890',
    Tags: [{ Key: 'Name', Value: `node-${index}` }],
  };
}

function installFleet(size: number): { counts: () => Record<string, number> } {
  const configMock = mockClient(ConfigServiceClient);
  const ec2Mock = mockClient(EC2Client);
  const ssmMock = mockClient(SSMClient);
  const pageSize = 1000;
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: { NextToken?: string }) => {
    const start = Number(input.NextToken ?? 0);
    const end = Math.min(size, start + pageSize);
    const instances = Array.from({ length: end - start }, (_, offset) => instance(start + offset));
    return { Reservations: [{ Instances: instances }], ...(end < size ? { NextToken: String(end) } : {}) };
  });
  ec2Mock.on(DescribeInstanceTypesCommand).callsFake((input: { Filters?: { Values?: string[] }[] }) => ({
    InstanceTypes: (input.Filters?.[0]?.Values ?? []).map((type) => ({ InstanceType: type, NetworkInfo: { EnaSupport: CAPABILITY[type] } })),
  }));
  ssmMock.on(DescribeInstanceInformationCommand).callsFake((input: { NextToken?: string }) => {
    const start = Number(input.NextToken ?? 0);
    // Nine in ten instances are managed.
    const managed = [];
    let index = start;
    for (; index < size && managed.length < 50; index += 1) {
      if (index % 10 !== 9) managed.push({ InstanceId: instance(index).InstanceId, PingStatus: 'Online', PlatformType: 'Linux' });
    }
    return { InstanceInformationList: managed, ...(index < size ? { NextToken: String(index) } : {}) };
  });
  ssmMock.on(ListInventoryEntriesCommand).callsFake(async (input: { InstanceId: string }) => {
    await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
    return {
      InstanceId: input.InstanceId,
      TypeName: 'Custom:EnaDriver',
      Entries: [{ DriverPresent: 'true', DriverVersion: input.InstanceId.endsWith('0') ? '2.1.3g' : '2.13.0g', DriverBuild: 'out-of-tree', OsFamily: 'linux', OsId: 'amzn', OsVersion: '2', InterfaceDriver: 'ena' }],
    };
  });
  configMock.on(PutEvaluationsCommand).resolves({});
  configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({});
  return {
    counts: () => {
      const counts: Record<string, number> = {};
      for (const mock of [ec2Mock, ssmMock, configMock]) {
        for (const call of mock.calls()) {
          const name = (call.args[0] as object).constructor.name.replace(/Command$/, '');
          counts[name] = (counts[name] ?? 0) + 1;
        }
      }
      return counts;
    },
  };
}

interface Measurement {
  readonly rule: string;
  readonly size: number;
  readonly concurrency?: number;
  readonly milliseconds: number;
  readonly heapDeltaMiB: number;
  readonly calls: Record<string, number>;
  readonly summary: RunSummary;
}

async function measure(rule: string, size: number, makeSpec: () => ConfigRuleSpec, parameters: Record<string, string> = {}): Promise<Measurement> {
  const fleet = installFleet(size);
  const event = {
    invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', notificationCreationTime: '2026-11-20T12:00:00.000Z' }),
    ruleParameters: JSON.stringify(parameters),
    resultToken: 'bench-token',
    eventLeftScope: false,
    configRuleName: rule,
  };
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const summary = await runConfigRule(event, makeSpec(), { config: new ConfigServiceClient({ region: 'eu-west-1' }), log: silentLog, metrics: noMetrics });
  const milliseconds = performance.now() - started;
  const heapDeltaMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  return { rule, size, milliseconds, heapDeltaMiB, calls: fleet.counts(), summary, ...(parameters.inventoryConcurrency ? { concurrency: Number(parameters.inventoryConcurrency) } : {}) };
}

/** The benchmark's clock: it is a composition root, like the Lambda handlers and the CLI. */
const now = (): Date => new Date();

function ec2() {
  const client = new EC2Client({ region: 'eu-west-1' });
  return new AwsFleetReader(client, new InstanceTypeCatalog(client), now);
}

const sizes = process.argv.slice(2).map(Number).filter((value) => value > 0);
const [small, large] = sizes.length >= 2 ? sizes : [1000, 10_000];

// Warm-up, discarded: lets the JIT compile the hot paths before anything is timed.
await measure('ena-instance-enabled', small!, () => bindInstanceRule(instanceEnabledRule, { fleet: ec2(), now }));
await measure('ena-driver-current', small!, () => bindInstanceRule(driverCurrentRule, { fleet: ec2(), inventory: new AwsInventoryReader(new SSMClient({ region: 'eu-west-1' })), now }), { inventoryConcurrency: '8' });

const results: Measurement[] = [];
for (const size of [small!, large!]) {
  results.push(await measure('ena-instance-enabled', size, () => bindInstanceRule(instanceEnabledRule, { fleet: ec2(), now })));
}
for (const concurrency of [1, 8]) {
  results.push(
    await measure('ena-driver-current', small!, () => bindInstanceRule(driverCurrentRule, { fleet: ec2(), inventory: new AwsInventoryReader(new SSMClient({ region: 'eu-west-1' })), now }), {
      inventoryConcurrency: String(concurrency),
    }),
  );
}
results.push(await measure('ena-driver-current', large!, () => bindInstanceRule(driverCurrentRule, { fleet: ec2(), inventory: new AwsInventoryReader(new SSMClient({ region: 'eu-west-1' })), now }), { inventoryConcurrency: '8' }));

console.log('rule                   instances  conc   ms       ms/1k inst  heap Δ MiB  AWS calls');
for (const result of results) {
  const calls = Object.entries(result.calls).map(([name, count]) => `${name} ${count}`).join(', ');
  console.log(
    `${result.rule.padEnd(22)} ${String(result.size).padStart(9)}  ${String(result.concurrency ?? '-').padStart(4)}  ${result.milliseconds.toFixed(0).padStart(7)}  ${((result.milliseconds / result.size) * 1000).toFixed(1).padStart(10)}  ${result.heapDeltaMiB.toFixed(1).padStart(10)}  ${calls}`,
  );
}
const [enabledSmall, enabledLarge, driverSerial, driverParallel, driverLarge] = results;
const perInstance = (m: Measurement | undefined) => (m ? m.milliseconds / m.size : Number.NaN);
console.log('');
console.log(`ratios (same run):`);
console.log(`  ena-instance-enabled time per instance, ${large} vs ${small}: ${(perInstance(enabledLarge) / perInstance(enabledSmall)).toFixed(2)} (1.00 = linear scaling)`);
console.log(`  ena-driver-current time per instance, ${large} vs ${small} (concurrency 8): ${(perInstance(driverLarge) / perInstance(driverParallel)).toFixed(2)}`);
console.log(`  ena-driver-current inventoryConcurrency 1 vs 8 at ${small} (${LATENCY_MS} ms per read): ${((driverSerial?.milliseconds ?? 0) / (driverParallel?.milliseconds ?? 1)).toFixed(2)}x faster with 8`);
console.log(`  AWS calls per instance, ena-driver-current at ${large}: ${(Object.values(driverLarge?.calls ?? {}).reduce((a, b) => a + b, 0) / large!).toFixed(3)}`);

// Runbook simulation: simulated seconds per wall-clock millisecond for EnaGuard-EnableEnaSupport.
const simulations = 50;
let simulatedMs = 0;
const simulationStarted = performance.now();
for (let run = 0; run < simulations; run += 1) {
  const report = await simulateRunbook('EnaGuard-EnableEnaSupport', DEMO_FLEET, { InstanceId: 'i-0a11c0ffee0000003' });
  simulatedMs += report.result.endTime.getTime() - report.result.startTime.getTime();
}
const wallMs = (performance.now() - simulationStarted) / simulations;
console.log(`  EnaGuard-EnableEnaSupport simulation: ${wallMs.toFixed(1)} ms of wall time for ${(simulatedMs / simulations / 1000).toFixed(0)} s of simulated time (${(simulatedMs / simulations / wallMs).toFixed(0)}x faster than real time), snapshot load included`);

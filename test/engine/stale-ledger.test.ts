/**
 * The stale-result ledger (src/engine/result-ledger.ts) through the engine: a steady sweep reads
 * it instead of Config's results, and every way a run can end leaves either a true record or
 * none. The bucket is in memory behind the real S3 commands (test/support/memory-s3.ts).
 */
import { gunzipSync } from 'node:zlib';
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type Evaluation,
  type EvaluationResult,
  type PutEvaluationsCommandInput,
} from '@aws-sdk/client-config-service';
import { DescribeInstanceTypesCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EngineDependencies } from '../../src/engine/run-rule.js';
import { LEDGER_FORMAT, S3ResultLedger, ledgerKeys } from '../../src/engine/s3-result-ledger.js';
import { LedgerUnavailableError } from '../../src/errors.js';
import { configEvent } from '../support/config-events.js';
import { fixedClock, sdkInstance, sdkInstanceType } from '../support/instances.js';
import { memoryS3 } from '../support/memory-s3.js';
import { instanceRuleEngine } from '../support/instance-engine.js';

const configMock = mockClient(ConfigServiceClient);
const ec2Mock = mockClient(EC2Client);
const RULE = 'ena-instance-enabled';
const BUCKET = 'ena-guard-state-123456789012-eu-west-1';
const keys = ledgerKeys(RULE);
/** The instance of the change-event fixtures. */
const CHANGED_INSTANCE = 'i-0123456789abcdef0';

let s3: ReturnType<typeof memoryS3>;

beforeEach(() => {
  configMock.reset();
  ec2Mock.reset();
  s3 = memoryS3();
  configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [sdkInstanceType('m5.large', 'required'), sdkInstanceType('r4.large', 'supported')] });
});

const id = (index: number) => sdkInstance(index).InstanceId!;

/** The account holds these instances, in pages of 1,000 (the last page may fail). */
function fleet(indexes: readonly number[], { failAfterPage }: { failAfterPage?: number } = {}) {
  const pages: number[][] = [];
  for (let start = 0; start < indexes.length; start += 1000) pages.push(indexes.slice(start, start + 1000));
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: { NextToken?: string }) => {
    const page = input.NextToken ? Number(input.NextToken) : 0;
    if (failAfterPage !== undefined && page > failAfterPage) throw Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' });
    return {
      Reservations: (pages[page] ?? []).map((index) => ({ ReservationId: `r-${index}`, OwnerId: '123456789012', Instances: [sdkInstance(index)] })),
      ...(page + 1 < pages.length ? { NextToken: String(page + 1) } : {}),
    };
  });
}

function configHolds(resourceIds: readonly string[]) {
  const results: EvaluationResult[] = resourceIds.map((ResourceId) => ({
    EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: RULE, ResourceType: 'AWS::EC2::Instance', ResourceId } },
    ComplianceType: 'COMPLIANT',
  }));
  configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: results });
}

function engine(overrides: Partial<EngineDependencies> = {}) {
  return instanceRuleEngine({ ledger: (ruleName) => new S3ResultLedger(s3.client, BUCKET, ruleName, fixedClock), ...overrides });
}

/** The instance ids in the stored record, or undefined when there is none. */
function recorded(): string[] | undefined {
  const bytes = s3.objects.get(keys.record);
  if (!bytes) return undefined;
  const record = JSON.parse(gunzipSync(bytes).toString('utf8')) as { format: string; resources: Record<string, string[]> };
  expect(record.format).toBe(LEDGER_FORMAT);
  return [...(record.resources['AWS::EC2::Instance'] ?? [])].sort();
}

function sentEvaluations(): Evaluation[] {
  return configMock.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
}

function notApplicableIds(): string[] {
  return sentEvaluations()
    .filter((evaluation) => evaluation.ComplianceType === 'NOT_APPLICABLE')
    .map((evaluation) => evaluation.ComplianceResourceId!)
    .sort();
}

/** Forgets the calls so far, keeping the bucket. */
function nextRun() {
  configMock.resetHistory();
  ec2Mock.resetHistory();
  s3.calls.length = 0;
}

describe('a steady sweep', () => {
  it('reads Config once when there is no record yet, and leaves a record of what it saw', async () => {
    fleet([0, 1, 2]);
    configHolds([id(0), id(9)]);

    const summary = await engine().run(configEvent('periodic'));

    expect(configMock).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 1);
    expect(summary).toMatchObject({ previousResultsFrom: 'config', ledger: 'written', staleResourcesCleared: 1 });
    expect(notApplicableIds()).toEqual([id(9)]);
    expect(recorded()).toEqual([id(0), id(1), id(2)]);
  });

  it('reads the record instead of Config, and clears what left the fleet in four S3 calls', async () => {
    fleet([0, 1, 2]);
    await engine().run(configEvent('periodic'));
    nextRun();
    fleet([0, 1]);

    const summary = await engine().run(configEvent('periodic'));

    expect(configMock).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 0);
    expect(summary).toMatchObject({ previousResultsFrom: 'ledger', ledger: 'written', staleResourcesCleared: 1 });
    expect(notApplicableIds()).toEqual([id(2)]);
    expect(recorded()).toEqual([id(0), id(1)]);
    expect([...s3.calls].sort()).toEqual(['DeleteObject', 'GetObject', 'ListObjectsV2', 'PutObject']);
  });

  it('keeps in the record a stale result whose NOT_APPLICABLE Config did not accept', async () => {
    fleet([0, 1, 2]);
    await engine().run(configEvent('periodic'));
    nextRun();
    fleet([0, 1]);
    configMock.on(PutEvaluationsCommand).callsFake((input: PutEvaluationsCommandInput) => ({
      FailedEvaluations: (input.Evaluations ?? []).filter((evaluation) => evaluation.ComplianceResourceId === id(2)),
    }));

    const summary = await engine({ resendBudgetMs: 0 }).run(configEvent('periodic'));

    expect(summary.undeliveredResourceIds).toEqual([id(2)]);
    expect(recorded()).toEqual([id(0), id(1), id(2)]);
  });
});

describe('change evaluations', () => {
  it('mark the resource they report, so that a sweep that never sees it clears it', async () => {
    fleet([0]);
    await engine().run(configEvent('periodic'));
    nextRun();

    const change = await engine().run(configEvent('change-non-compliant'));
    expect(change.ledger).toBe('written');
    expect(s3.objects.has(keys.mark({ resourceType: 'AWS::EC2::Instance', resourceId: CHANGED_INSTANCE }))).toBe(true);
    nextRun();

    const sweep = await engine().run(configEvent('periodic'));

    expect(notApplicableIds()).toEqual([CHANGED_INSTANCE]);
    expect(sweep.staleResourcesCleared).toBe(1);
    expect(recorded()).toEqual([id(0)]);
    expect([...s3.objects.keys()].filter((key) => key.startsWith(keys.marks))).toEqual([]);
  });

  it('write no mark for a NOT_APPLICABLE result, which leaves nothing to clear', async () => {
    const summary = await engine().run(configEvent('change-deleted'));

    expect(summary.ledger).toBe('unused');
    expect(s3.calls).toEqual([]);
  });

  it('still deliver their verdict when the mark cannot be written, and count the failure', async () => {
    s3.failing('PutObject');
    const { run, metrics, log } = engine();

    const summary = await run(configEvent('change-non-compliant'));

    expect(summary.delivered).toBe(1);
    expect(summary.ledger).toBe('failed');
    expect(metrics.values.get('StaleLedgerFailures')).toBe(1);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', extra: expect.objectContaining({ resourceId: CHANGED_INSTANCE }) }));
  });

  it('in test mode touch no ledger', async () => {
    await engine().run(configEvent('change-testmode'));

    expect(s3.calls).toEqual([]);
  });
});

describe('every way a sweep ends leaves a true record or none', () => {
  it('a run that dies part-way leaves no record, and the next sweep reads Config', async () => {
    fleet([0, 1]);
    await engine().run(configEvent('periodic'));
    nextRun();
    fleet([0, 1, 2]);
    let calls = 0;
    // The invocation ends abruptly once the sweep has begun (Lambda's timeout, a crash).
    const dying = engine({
      remainingTimeMs: () => {
        calls += 1;
        if (calls > 2) throw new Error('Task timed out after 300.00 seconds');
        return 300_000;
      },
    });

    await expect(dying.run(configEvent('periodic'))).rejects.toThrow('Task timed out');

    expect(recorded()).toBeUndefined();
    nextRun();
    const next = await engine().run(configEvent('periodic'));
    expect(next.previousResultsFrom).toBe('config');
    expect(configMock).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 1);
  });

  it('a record that cannot be written is not left behind: the next sweep reads Config', async () => {
    fleet([0, 1]);
    await engine().run(configEvent('periodic'));
    nextRun();
    s3.failing('PutObject');

    const summary = await engine().run(configEvent('periodic'));

    expect(summary.ledger).toBe('discarded');
    expect(recorded()).toBeUndefined();
  });

  it('an outdated record that can be neither deleted nor replaced is logged and alarmed', async () => {
    fleet([0, 1]);
    await engine().run(configEvent('periodic'));
    nextRun();
    s3.failing('PutObject');
    s3.failing('DeleteObject');
    const { run, metrics, log } = engine();

    const summary = await run(configEvent('periodic'));

    expect(summary.ledger).toBe('failed');
    expect(metrics.values.get('StaleLedgerFailures')).toBe(1);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('a stale result may survive') }));
  });

  it('an outdated record that could not be deleted first is replaced by the new one', async () => {
    fleet([0, 1]);
    await engine().run(configEvent('periodic'));
    nextRun();
    fleet([0, 1, 2]);
    s3.failing('DeleteObject', 1);

    const summary = await engine().run(configEvent('periodic'));

    expect(summary.ledger).toBe('written');
    expect(recorded()).toEqual([id(0), id(1), id(2)]);
  });

  it('an incomplete sweep clears nothing and records what it saw beside what held a result', async () => {
    fleet([0, 1]);
    await engine().run(configEvent('periodic'));
    nextRun();
    const next = Array.from({ length: 1500 }, (_, index) => index + 1);
    fleet(next, { failAfterPage: 0 });

    const summary = await engine().run(configEvent('periodic'));

    expect(summary.complete).toBe(false);
    expect(notApplicableIds()).toEqual([]);
    expect(recorded()).toEqual([0, ...next.slice(0, 1000)].map(id).sort());
  });

  it('a record that is not in the ledger format is not trusted: Config is read, and a new record written', async () => {
    s3.objects.set(keys.record, new TextEncoder().encode('{"resources": []}'));
    fleet([0]);
    const { run, log } = engine();

    const summary = await run(configEvent('periodic'));

    expect(summary.previousResultsFrom).toBe('config');
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('ledger unreadable') }));
    expect(recorded()).toEqual([id(0)]);
  });
});

describe('S3ResultLedger', () => {
  it('reads marks past one page and deletes consumed marks 1,000 at a time', async () => {
    const ledger = new S3ResultLedger(s3.client, BUCKET, RULE, fixedClock);
    await ledger.write([], []);
    const marked = Array.from({ length: 2500 }, (_, index) => ({ resourceType: 'AWS::EC2::Instance', resourceId: id(index) }));
    for (const resource of marked) await ledger.mark(resource);

    const contents = await ledger.read();
    await ledger.write([], contents!.marks);

    expect(contents!.resources).toHaveLength(2500);
    expect(new Set(contents!.resources.map((resource) => resource.resourceId))).toEqual(new Set(marked.map((resource) => resource.resourceId)));
    expect(s3.calls.filter((call) => call === 'ListObjectsV2')).toHaveLength(3);
    expect(s3.calls.filter((call) => call === 'DeleteObjects')).toHaveLength(3);
    expect([...s3.objects.keys()]).toEqual([keys.record]);
  });

  it('refuses the record of another rule', async () => {
    await new S3ResultLedger(s3.client, BUCKET, 'ena-driver-current', fixedClock).write([{ resourceType: 'AWS::EC2::Instance', resourceId: id(0) }], []);
    s3.objects.set(keys.record, s3.objects.get(ledgerKeys('ena-driver-current').record)!);

    await expect(new S3ResultLedger(s3.client, BUCKET, RULE, fixedClock).read()).rejects.toThrow(LedgerUnavailableError);
  });

  it('has no record before the first write', async () => {
    await expect(new S3ResultLedger(s3.client, BUCKET, RULE, fixedClock).read()).resolves.toBeUndefined();
  });
});

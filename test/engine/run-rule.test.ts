import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
  type Evaluation,
  type PutEvaluationsCommandInput,
} from '@aws-sdk/client-config-service';
import { DescribeInstanceTypesCommand, DescribeInstancesCommand, EC2Client, type Reservation } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FactsUnavailableError, InvalidRuleParametersError, MalformedEventError } from '../../src/errors.js';
import { configEvent, historyItem } from '../support/config-events.js';
import { sdkInstance, sdkInstanceType } from '../support/instances.js';
import { instanceRuleEngine } from '../support/instance-engine.js';

const configMock = mockClient(ConfigServiceClient);
const ec2Mock = mockClient(EC2Client);

const engine = instanceRuleEngine;

function sentEvaluations(): Evaluation[] {
  return configMock.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
}

const INSTANCE = 'i-0123456789abcdef0';
const CAPTURE_TIME = new Date('2026-11-20T10:15:30.123Z');

beforeEach(() => {
  configMock.reset();
  ec2Mock.reset();
  configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  ec2Mock.on(DescribeInstanceTypesCommand).callsFake((input: { Filters?: { Values?: string[] }[] }) => ({
    InstanceTypes: (input.Filters?.[0]?.Values ?? [])
      .filter((type) => type !== 'm9z.large')
      .map((type) => sdkInstanceType(type, type.startsWith('m5') ? 'required' : type.startsWith('c4') ? 'unsupported' : 'supported')),
  }));
});

describe('change notifications', () => {
  it('records no sweep for a change event: the incomplete-sweep metrics are 0 and ResourcesSwept is not emitted', async () => {
    // Prepare
    const { run, metrics } = engine();

    // Act
    const summary = await run(configEvent('change-non-compliant'));

    // Assess
    expect(summary.sweep).toBeUndefined();
    expect(metrics.values.get('IncompleteSweeps')).toBe(0);
    expect(metrics.values.get('SweepsStoppedAtDeadline')).toBe(0);
    expect(metrics.values.has('ResourcesSwept')).toBe(false);
  });

  it('reports a non-compliant instance with the CI capture time as ordering timestamp', async () => {
    const { run } = engine();

    const summary = await run(configEvent('change-non-compliant'));

    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'eyJlbmNyeXB0ZWREYXRhIjpbLTc5LDEwOV0sIm1hdGVyaWFsU2V0U2VyaWFsTnVtYmVyIjoxfQ==',
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::Instance',
          ComplianceResourceId: INSTANCE,
          ComplianceType: 'NON_COMPLIANT',
          Annotation: 'enaSupport is false on ENA-capable type r4.large. Check the guest has an ENA driver, then run EnaGuard-EnableEnaSupport.',
          OrderingTimestamp: CAPTURE_TIME,
        },
      ],
    });
    expect(configMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input.TestMode).toBeUndefined();
    expect(summary).toMatchObject({ messageType: 'ConfigurationItemChangeNotification', delivered: 1, counts: { NON_COMPLIANT: 1 } });
  });

  it('reports a compliant instance', async () => {
    const { run } = engine();

    await run(configEvent('change-compliant'));

    expect(sentEvaluations()).toEqual([expect.objectContaining({ ComplianceResourceId: INSTANCE, ComplianceType: 'COMPLIANT' })]);
  });

  it.each([
    ['change-deleted', 'ResourceDeleted'],
    ['change-not-recorded', 'ResourceNotRecorded'],
    ['change-left-scope', 'left the scope'],
  ] as const)('reports %s as NOT_APPLICABLE without reading EC2', async (fixture, annotation) => {
    const { run } = engine();

    await run(configEvent(fixture));

    expect(sentEvaluations()).toEqual([
      expect.objectContaining({ ComplianceResourceId: INSTANCE, ComplianceType: 'NOT_APPLICABLE', Annotation: expect.stringContaining(annotation) }),
    ]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('calls PutEvaluations in test mode when the result token is TESTMODE', async () => {
    const { run } = engine();

    await run(configEvent('change-testmode'));

    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, { ResultToken: 'TESTMODE', TestMode: true });
  });

  it('uses every default when the event has no ruleParameters', async () => {
    const { run } = engine();

    await run(configEvent('change-no-rule-parameters'));

    expect(sentEvaluations()).toEqual([expect.objectContaining({ ComplianceType: 'NON_COMPLIANT' })]);
  });

  it('refuses a malformed invoking event with one message naming the field, and reports nothing', async () => {
    const { run } = engine();

    const outcome = run(configEvent('change-malformed-invoking-event'));

    await expect(outcome).rejects.toBeInstanceOf(MalformedEventError);
    await expect(outcome).rejects.toThrow(/^Malformed Config event: invokingEvent is not valid JSON \(.+\)\.$/);
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('names a missing envelope field', async () => {
    const { run } = engine();
    const { resultToken: _dropped, ...withoutToken } = configEvent('change-compliant');

    await expect(run(withoutToken)).rejects.toThrow('Malformed Config event: event.resultToken');
  });

  it('logs a bad rule parameter and reports no evaluation at all', async () => {
    const { run, log } = engine();

    const outcome = run(configEvent('change-bad-parameter'));

    await expect(outcome).rejects.toBeInstanceOf(InvalidRuleParametersError);
    await expect(outcome).rejects.toThrow('"enaIncapableTypes" must be NON_COMPLIANT or NOT_APPLICABLE');
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('enaIncapableTypes') }));
  });

  it('makes one type lookup on a cold container and none once the type is cached', async () => {
    const { run } = engine();

    await run(configEvent('change-non-compliant'));
    await run(configEvent('change-non-compliant'));

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstanceTypesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstanceTypesCommand, { Filters: [{ Name: 'instance-type', Values: ['r4.large'] }] });
    const nonPutCalls = configMock.calls().filter((call) => !(call.args[0] instanceof PutEvaluationsCommand));
    expect(nonPutCalls).toHaveLength(0);
  });

  it('does not judge an instance whose type lookup failed, and reports nothing for it', async () => {
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    const { run, log } = engine();

    const summary = await run(configEvent('change-non-compliant'));

    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(summary.unjudgedResourceIds).toEqual([INSTANCE]);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ resourceId: INSTANCE }) }));
  });
});

describe('oversized change notifications', () => {
  it('reads the configuration item from the history and judges it', async () => {
    configMock.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [historyItem()] });
    const { run } = engine();

    await run(configEvent('oversized'));

    expect(configMock).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, {
      resourceType: 'AWS::EC2::Instance',
      resourceId: INSTANCE,
      laterTime: CAPTURE_TIME,
      limit: 1,
    });
    expect(sentEvaluations()).toEqual([
      expect.objectContaining({ ComplianceResourceId: INSTANCE, ComplianceType: 'NON_COMPLIANT', OrderingTimestamp: CAPTURE_TIME }),
    ]);
  });

  it('leaves the resource unjudged when the history has no item', async () => {
    configMock.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
    const { run } = engine();

    const summary = await run(configEvent('oversized'));

    expect(summary.unjudgedResourceIds).toEqual([INSTANCE]);
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });
});

function reservations(from: number, count: number): Reservation[] {
  return Array.from({ length: count }, (_, offset) => ({
    ReservationId: `r-${(from + offset).toString(16).padStart(17, '0')}`,
    OwnerId: '123456789012',
    Instances: [sdkInstance(from + offset, { EnaSupport: (from + offset) % 3 !== 0, InstanceType: (from + offset) % 2 ? 'm5.large' : 'r4.large' })],
  }));
}

describe('periodic sweeps', () => {
  function fleetOf(pages: number[]) {
    let start = 0;
    const responses = pages.map((size, index) => {
      const page = { Reservations: reservations(start, size), ...(index < pages.length - 1 ? { NextToken: `page-${index + 2}` } : {}) };
      start += size;
      return page;
    });
    ec2Mock
      .on(DescribeInstancesCommand)
      .callsFake((input: { NextToken?: string }) => responses[input.NextToken ? Number(input.NextToken.slice(5)) - 1 : 0]);
    return start;
  }

  it('covers 2,500 instances on 3 pages with 25 PutEvaluations calls of at most 100', async () => {
    const total = fleetOf([1000, 1000, 500]);
    const { run } = engine();

    const summary = await run(configEvent('periodic'));

    const puts = configMock.commandCalls(PutEvaluationsCommand);
    expect(puts).toHaveLength(25);
    for (const call of puts) expect(call.args[0].input.Evaluations?.length).toBeLessThanOrEqual(100);
    const ids = sentEvaluations().map((evaluation) => evaluation.ComplianceResourceId);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(sentEvaluations().every((evaluation) => evaluation.OrderingTimestamp?.toISOString() === '2026-11-20T12:00:00.000Z')).toBe(true);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 3);
    for (const call of ec2Mock.commandCalls(DescribeInstancesCommand)) {
      expect(call.args[0].input).toMatchObject({
        MaxResults: 1000,
        Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] }],
      });
    }
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstanceTypesCommand, 1);
    expect(summary).toMatchObject({ complete: true, delivered: 2500, putEvaluationsCalls: 25 });
  });

  it('re-sends evaluations that PutEvaluations reported failed', async () => {
    fleetOf([3]);
    const { run } = engine();
    configMock
      .on(PutEvaluationsCommand)
      .resolvesOnce({
        FailedEvaluations: [
          { ComplianceResourceType: 'AWS::EC2::Instance', ComplianceResourceId: sdkInstance(1).InstanceId, ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date() },
        ],
      })
      .resolves({ FailedEvaluations: [] });

    const summary = await run(configEvent('periodic'));

    const calls = configMock.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input as PutEvaluationsCommandInput);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.Evaluations).toHaveLength(3);
    expect(calls[1]?.Evaluations?.map((evaluation) => evaluation.ComplianceResourceId)).toEqual([sdkInstance(1).InstanceId]);
    expect(summary).toMatchObject({ delivered: 3, undeliveredResourceIds: [] });
  });

  it('gives up on evaluations that keep failing once the batch has spent its re-send budget, and logs their ids', async () => {
    // Prepare
    fleetOf([2]);
    const slept: number[] = [];
    const { run, log, metrics } = engine({ resendBudgetMs: 3_000, sleep: async (milliseconds) => void slept.push(milliseconds) });
    const stuck = sdkInstance(0).InstanceId;
    configMock.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [{ ComplianceResourceType: 'AWS::EC2::Instance', ComplianceResourceId: stuck, ComplianceType: 'NON_COMPLIANT', OrderingTimestamp: new Date() }],
    });

    // Act
    const summary = await run(configEvent('periodic'));

    // Assess: backoff 0.5 s, then 1 s; a third re-send (2 s more) would pass the 3 s budget.
    expect(slept).toEqual([500, 1000]);
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 3);
    expect(summary).toMatchObject({ delivered: 1, undeliveredResourceIds: [stuck] });
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', extra: expect.objectContaining({ resourceIds: [stuck] }) }));
    expect(metrics.values.get('UndeliveredEvaluations')).toBe(1);
  });

  it('stops re-sending failed evaluations when the deadline leaves no time for the next backoff', async () => {
    // Prepare: virtual time, advanced only by the reporter's backoff.
    fleetOf([2]);
    let elapsed = 0;
    const { run, log } = engine({
      remainingTimeMs: () => 60_000 - elapsed,
      deadlineMarginMs: 30_000,
      deliveryReserveMs: 5_000,
      resendBudgetMs: 600_000,
      sleep: async (milliseconds) => void (elapsed += milliseconds),
    });
    const stuck = sdkInstance(0).InstanceId;
    configMock.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [{ ComplianceResourceType: 'AWS::EC2::Instance', ComplianceResourceId: stuck, ComplianceType: 'NON_COMPLIANT', OrderingTimestamp: new Date() }],
    });

    // Act
    const summary = await run(configEvent('periodic'));

    // Assess: 0.5 + 1 + 2 + 4 × 12 = 51.5 s slept; 4 s more would pass the 55 s delivery may use.
    expect(elapsed).toBe(51_500);
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 16);
    expect(summary).toMatchObject({ delivered: 1, undeliveredResourceIds: [stuck] });
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining("deadline is near") }));
  });

  it('keeps sending the other batches when one PutEvaluations call fails outright', async () => {
    fleetOf([250]);
    const { run } = engine();
    configMock
      .on(PutEvaluationsCommand)
      .resolvesOnce({})
      .rejectsOnce(Object.assign(new Error('Internal failure'), { name: 'InternalFailure' }))
      .resolves({});

    const summary = await run(configEvent('periodic'));

    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 3);
    expect(summary.delivered).toBe(150);
    expect(summary.undeliveredResourceIds).toHaveLength(100);
  });

  it('reports results that outlived their instance as NOT_APPLICABLE after a complete sweep', async () => {
    fleetOf([2]);
    const gone = 'i-0deadbeef00000000';
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        { EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'ena-instance-enabled', ResourceType: 'AWS::EC2::Instance', ResourceId: gone } }, ComplianceType: 'NON_COMPLIANT' },
        { EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'ena-instance-enabled', ResourceType: 'AWS::EC2::Instance', ResourceId: sdkInstance(0).InstanceId } }, ComplianceType: 'NON_COMPLIANT' },
      ],
    });
    const { run } = engine();

    const summary = await run(configEvent('periodic'));

    expect(configMock).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, {
      ConfigRuleName: 'ena-instance-enabled',
      ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
    });
    expect(sentEvaluations().filter((evaluation) => evaluation.ComplianceResourceId === gone)).toEqual([
      expect.objectContaining({ ComplianceType: 'NOT_APPLICABLE', Annotation: "The resource no longer exists or is outside this rule's scope." }),
    ]);
    expect(summary.staleResourcesCleared).toBe(1);
  });

  it('delivers what it computed and stops before the deadline, without clearing stale results', async () => {
    // Prepare: virtual time; each DescribeInstances page takes 140 s of a 300 s invocation.
    let elapsed = 0;
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: { NextToken?: string }) => {
      elapsed += 140_000;
      const page = input.NextToken ? Number(input.NextToken.slice(5)) : 1;
      return { Reservations: reservations((page - 1) * 1000, page < 3 ? 1000 : 500), ...(page < 3 ? { NextToken: `page-${page + 1}` } : {}) };
    });
    // A result of an instance the sweep cannot have seen: an incomplete sweep must not clear it.
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [{ EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'ena-instance-enabled', ResourceType: 'AWS::EC2::Instance', ResourceId: 'i-0deadbeef00000000' } }, ComplianceType: 'NON_COMPLIANT' }],
    });
    const { run, log, metrics } = engine({ remainingTimeMs: () => 300_000 - elapsed, deadlineMarginMs: 30_000 });

    // Act
    const summary = await run(configEvent('periodic'));

    // Assess: after two pages 20 s are left, less than the margin: the third page is never read.
    expect(summary.complete).toBe(false);
    expect(summary.sweep).toMatchObject({ end: 'deadline', resourcesSwept: 2000, resourcesJudged: 2000 });
    expect(sentEvaluations()).toHaveLength(2000);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 2);
    expect(summary.staleResourcesCleared).toBe(0);
    expect(sentEvaluations().some((evaluation) => evaluation.ComplianceResourceId === 'i-0deadbeef00000000')).toBe(false);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ batches: 2, resourcesSwept: 2000 }) }));
    expect(metrics.values.get('IncompleteSweeps')).toBe(1);
    expect(metrics.values.get('SweepsStoppedAtDeadline')).toBe(1);
    expect(metrics.values.get('ResourcesSwept')).toBe(2000);
  });

  it('delivers the pages already judged when a later page cannot be read', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: reservations(0, 1000), NextToken: 'page-2' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    // A result of an instance the sweep cannot have seen: an incomplete sweep must not clear it.
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [{ EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'ena-instance-enabled', ResourceType: 'AWS::EC2::Instance', ResourceId: 'i-0deadbeef00000000' } }, ComplianceType: 'NON_COMPLIANT' }],
    });
    const { run, metrics } = engine();

    const summary = await run(configEvent('periodic'));

    expect(summary.complete).toBe(false);
    expect(summary.sweep).toMatchObject({ end: 'fact-source-failed', resourcesSwept: 1000, resourcesJudged: 1000, error: expect.any(FactsUnavailableError) });
    expect(sentEvaluations()).toHaveLength(1000);
    expect(summary.staleResourcesCleared).toBe(0);
    expect(sentEvaluations().some((evaluation) => evaluation.ComplianceResourceId === 'i-0deadbeef00000000')).toBe(false);
    expect(metrics.values.get('IncompleteSweeps')).toBe(1);
    expect(metrics.values.get('SweepsStoppedAtDeadline')).toBe(0);
    expect(metrics.values.get('ResourcesSwept')).toBe(1000);
  });

  it('records a complete sweep as complete, with how many resources it swept', async () => {
    // Prepare
    fleetOf([4]);
    const { run, metrics } = engine();

    // Act
    const summary = await run(configEvent('periodic'));

    // Assess
    expect(summary.sweep).toEqual({ end: 'complete', resourcesSwept: 4, resourcesJudged: 4 });
    expect(metrics.values.get('IncompleteSweeps')).toBe(0);
    expect(metrics.values.get('SweepsStoppedAtDeadline')).toBe(0);
    expect(metrics.values.get('ResourcesSwept')).toBe(4);
  });

  it('counts swept resources it could not judge apart from the judged ones', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [sdkInstance(1), sdkInstance(2, { InstanceType: 'm9z.large' as 'm5.large' })] }] });
    const { run } = engine();

    // Act
    const summary = await run(configEvent('periodic'));

    // Assess
    expect(summary.sweep).toMatchObject({ end: 'complete', resourcesSwept: 2, resourcesJudged: 1 });
  });

  it('records evaluations by compliance type as metrics', async () => {
    fleetOf([6]);
    const { run, metrics } = engine();

    const summary = await run(configEvent('periodic'));

    expect(metrics.values.get('CompliantEvaluations')).toBe(summary.counts.COMPLIANT);
    expect(metrics.values.get('NonCompliantEvaluations')).toBe(summary.counts.NON_COMPLIANT);
    expect(summary.counts.COMPLIANT + summary.counts.NON_COMPLIANT).toBe(6);
    expect(summary.counts.NON_COMPLIANT).toBe(2);
  });
});

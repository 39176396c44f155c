import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeInstanceTypesCommand, DescribeInstancesCommand, EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { instanceEnabledRule } from '../../rules/instance-enabled.js';
import { bindInstanceRule } from '../../src/checks/instance-rule.js';
import { createConfigRuleHandler, deployedRuleName, type HandlerOptions } from '../../src/engine/lambda-handler.js';
import { FactsUnavailableError, IncompleteEvaluationError, IncompleteSweepError } from '../../src/errors.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';
import { configEvent } from '../support/config-events.js';
import { fixedClock, sdkInstance, sdkInstanceType } from '../support/instances.js';

const configMock = mockClient(ConfigServiceClient);
const ec2Mock = mockClient(EC2Client);
const context = { getRemainingTimeInMillis: () => 300_000 };
/** A type EC2 does not know (the SDK's enum rightly rejects it, hence the cast). */
const UNKNOWN_TYPE = 'm9z.large' as _InstanceType;

function handler(options: Pick<HandlerOptions, 'deadlineMarginMs'> = {}) {
  const ec2 = new EC2Client({ region: 'eu-west-1' });
  const config = new ConfigServiceClient({ region: 'eu-west-1' });
  const metrics = new Metrics({ namespace: 'EnaGuard', serviceName: 'ena-guard' });
  const publish = vi.spyOn(metrics, 'publishStoredMetrics');
  const added = vi.spyOn(metrics, 'addMetric');
  const logger = new Logger({ serviceName: 'ena-guard', logLevel: 'SILENT' });
  const warnings = vi.spyOn(logger, 'warn');
  const handle = createConfigRuleHandler(bindInstanceRule(instanceEnabledRule, { fleet: new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2), fixedClock), now: fixedClock }), { config, metrics, logger, ...options });
  /** The values a metric was given during the run. */
  const metric = (name: string) => added.mock.calls.filter((call) => call[0] === name).map((call) => call[2]);
  return { handle, publish, metric, warnings };
}

/** Fails the way a refused or throttled-for-ever DescribeInstances fails once the SDK gave up. */
const accessDenied = () => Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' });

beforeEach(() => {
  configMock.reset();
  ec2Mock.reset();
  configMock.on(PutEvaluationsCommand).resolves({});
  configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({});
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [sdkInstanceType('r4.large', 'supported'), sdkInstanceType('m5.large', 'required')] });
});

describe('Lambda handler', () => {
  it('returns the run summary and publishes metrics', async () => {
    const { handle, publish } = handler();

    const summary = await handle(configEvent('change-non-compliant'), context);

    expect(summary).toMatchObject({ ruleName: 'ena-instance-enabled', delivered: 1, counts: { NON_COMPLIANT: 1 } });
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('fails the invocation, so Config retries it, when a change event could not be judged', async () => {
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(new Error('boom'));
    const { handle, publish } = handler();

    await expect(handle(configEvent('change-non-compliant'), context)).rejects.toBeInstanceOf(IncompleteEvaluationError);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('fails the invocation when evaluations were not delivered, after delivering the rest', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: Array.from({ length: 150 }, (_, index) => sdkInstance(index)) }] });
    configMock.on(PutEvaluationsCommand).resolvesOnce({}).rejects(new Error('AccessDenied'));
    const { handle } = handler();

    const outcome = handle(configEvent('periodic'), context);

    await expect(outcome).rejects.toThrow('50 evaluations not delivered, 0 resources not judged.');
    expect(configMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input.Evaluations).toHaveLength(100);
  });

  it('succeeds on a periodic sweep that left an unknown type unjudged: the next sweep retries it', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [sdkInstance(1), sdkInstance(2, { InstanceType: UNKNOWN_TYPE })] }] });
    const { handle } = handler();

    const summary = await handle(configEvent('periodic'), context);

    expect(summary.unjudgedResourceIds).toEqual([sdkInstance(2).InstanceId]);
    expect(summary.delivered).toBe(1);
  });
});

describe('Lambda handler, periodic sweeps that did not cover the account', () => {
  it('fails the invocation with IncompleteSweepError, caused by the fact-source error, when DescribeInstances is refused', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).rejects(accessDenied());
    const { handle, publish, metric } = handler();

    // Act
    const error = await handle(configEvent('periodic'), context).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(IncompleteSweepError);
    expect(error).toMatchObject({ reason: 'fact-source-failed', counts: { resourcesSwept: 0, resourcesJudged: 0, undelivered: 0 } });
    expect((error as Error).cause).toBeInstanceOf(FactsUnavailableError);
    expect((error as Error).message).toContain('DescribeInstances failed');
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(metric('IncompleteSweeps')).toEqual([1]);
    expect(metric('ResourcesSwept')).toEqual([0]);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('delivers what the sweep judged before its fact source failed, then fails, counting what was lost too', async () => {
    // Prepare: a first page of 150, a second page refused; the second PutEvaluations fails.
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: Array.from({ length: 150 }, (_, index) => sdkInstance(index)) }], NextToken: 'page-2' })
      .rejects(accessDenied());
    configMock.on(PutEvaluationsCommand).resolvesOnce({}).rejects(new Error('AccessDenied'));
    const { handle, metric } = handler();

    // Act
    const error = await handle(configEvent('periodic'), context).catch((thrown: unknown) => thrown);

    // Assess: the sweep failure wins over the lost delivery, and its counts say both.
    expect(error).toBeInstanceOf(IncompleteSweepError);
    expect(error).toMatchObject({ reason: 'fact-source-failed', counts: { resourcesSwept: 150, resourcesJudged: 150, undelivered: 50 } });
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    expect(metric('UndeliveredEvaluations')).toEqual([50]);
    expect(metric('ResourcesSwept')).toEqual([150]);
  });

  it('fails with reason judged-nothing when the sweep found instances but could judge none', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [sdkInstance(1), sdkInstance(2)] }] });
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(accessDenied());
    const { handle, metric } = handler();

    // Act
    const error = await handle(configEvent('periodic'), context).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(IncompleteSweepError);
    expect(error).toMatchObject({ reason: 'judged-nothing', counts: { resourcesSwept: 2, resourcesJudged: 0 } });
    expect(metric('UnjudgedResources')).toEqual([2]);
    expect(metric('IncompleteSweeps')).toEqual([0]);
  });

  it('succeeds on a complete sweep of an account with no instances: empty is not failed', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const { handle, metric } = handler();

    // Act
    const summary = await handle(configEvent('periodic'), context);

    // Assess
    expect(summary.sweep).toEqual({ end: 'complete', resourcesSwept: 0, resourcesJudged: 0 });
    expect(metric('IncompleteSweeps')).toEqual([0]);
    expect(metric('ResourcesSwept')).toEqual([0]);
  });

  it('succeeds with a warning and the deadline metrics when the deadline stopped the sweep after part of the fleet', async () => {
    // Prepare: virtual time; each DescribeInstances page takes 140 s of a 300 s invocation.
    let elapsed = 0;
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: { NextToken?: string }) => {
      elapsed += 140_000;
      const page = input.NextToken ? 2 : 1;
      return { Reservations: [{ Instances: [sdkInstance(page)] }], NextToken: `page-${page + 1}` };
    });
    const { handle, metric, warnings } = handler({ deadlineMarginMs: 30_000 });

    // Act
    const summary = await handle(configEvent('periodic'), { getRemainingTimeInMillis: () => 300_000 - elapsed });

    // Assess
    expect(summary).toMatchObject({ complete: false, delivered: 2, sweep: { end: 'deadline', resourcesSwept: 2, resourcesJudged: 2 } });
    expect(metric('IncompleteSweeps')).toEqual([1]);
    expect(metric('SweepsStoppedAtDeadline')).toEqual([1]);
    expect(metric('ResourcesSwept')).toEqual([2]);
    expect(warnings).toHaveBeenCalledWith(expect.stringContaining('deadline is near'), expect.objectContaining({ batches: 2, resourcesSwept: 2 }));
  });

  it('fails with reason deadline when the deadline left no time to judge anything', async () => {
    // Prepare
    const { handle, metric } = handler({ deadlineMarginMs: 30_000 });

    // Act
    const error = await handle(configEvent('periodic'), { getRemainingTimeInMillis: () => 20_000 }).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(IncompleteSweepError);
    expect(error).toMatchObject({ reason: 'deadline', counts: { resourcesSwept: 0, resourcesJudged: 0 } });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
    expect(metric('SweepsStoppedAtDeadline')).toEqual([1]);
  });

  it.each([
    [{ CONFIG_RULE_NAME: 'team-a-ena-instance-enabled' }, 'team-a-ena-instance-enabled'],
    [{ CONFIG_RULE_NAME: '' }, 'ena-instance-enabled'],
    [{}, 'ena-instance-enabled'],
  ])('names logs and metrics after the deployed rule (%j gives %s)', (env, expected) => {
    expect(deployedRuleName('ena-instance-enabled', env)).toBe(expected);
  });
});

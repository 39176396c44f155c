import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { DescribeInstanceTypesCommand, DescribeInstancesCommand, EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { instanceEnabledRule } from '../../rules/instance-enabled.js';
import { bindInstanceRule } from '../../src/checks/instance-rule.js';
import { createConfigRuleHandler } from '../../src/engine/lambda-handler.js';
import { IncompleteEvaluationError } from '../../src/errors.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';
import { configEvent } from '../support/config-events.js';
import { sdkInstance, sdkInstanceType } from '../support/instances.js';

const configMock = mockClient(ConfigServiceClient);
const ec2Mock = mockClient(EC2Client);
const context = { getRemainingTimeInMillis: () => 300_000 };
/** A type EC2 does not know (the SDK's enum rightly rejects it, hence the cast). */
const UNKNOWN_TYPE = 'm9z.large' as _InstanceType;

function handler() {
  const ec2 = new EC2Client({ region: 'eu-west-1' });
  const config = new ConfigServiceClient({ region: 'eu-west-1' });
  const metrics = new Metrics({ namespace: 'EnaGuard', serviceName: 'ena-guard' });
  const publish = vi.spyOn(metrics, 'publishStoredMetrics');
  const logger = new Logger({ serviceName: 'ena-guard', logLevel: 'SILENT' });
  const handle = createConfigRuleHandler(bindInstanceRule(instanceEnabledRule, { fleet: new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2)) }), { config, metrics, logger });
  return { handle, publish };
}

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

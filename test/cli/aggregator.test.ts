/**
 * readAggregator over a mocked Config client: moto does not serve Config aggregators (its
 * DescribeAggregateComplianceByConfigRules answers HTTP 500), so these tests are the only ones.
 */
import {
  ConfigServiceClient,
  DescribeAggregateComplianceByConfigRulesCommand,
  GetAggregateComplianceDetailsByConfigRuleCommand,
  NoSuchConfigurationAggregatorException,
  type AggregateEvaluationResult,
} from '@aws-sdk/client-config-service';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readAggregator, type AggregatorOptions } from '../../src/cli/aggregator.js';
import { CredentialsError, EnaGuardError } from '../../src/errors.js';
import { RULES } from '../../rules/registry.js';

const configMock = mockClient(ConfigServiceClient);
const stsMock = mockClient(STSClient);

function options(overrides: Partial<AggregatorOptions> = {}): AggregatorOptions {
  return { name: 'org', region: 'eu-west-1', credentials: async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'secret' }), env: {}, ...overrides };
}

function result(ruleName: string, account: string, region: string, resourceId: string, compliance: AggregateEvaluationResult['ComplianceType'], annotation?: string): AggregateEvaluationResult {
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ConfigRuleName: ruleName, ResourceType: 'AWS::EC2::Instance', ResourceId: resourceId, EvaluationMode: 'DETECTIVE' },
      OrderingTimestamp: new Date('2026-01-14T00:00:00Z'),
    },
    ComplianceType: compliance,
    ResultRecordedTime: new Date('2026-01-14T00:01:00Z'),
    ConfigRuleInvokedTime: new Date('2026-01-14T00:00:30Z'),
    ...(annotation ? { Annotation: annotation } : {}),
    AccountId: account,
    AwsRegion: region,
  };
}

beforeEach(() => {
  configMock.reset();
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:user/auditor' });
  configMock.on(DescribeAggregateComplianceByConfigRulesCommand).resolves({ AggregateComplianceByConfigRules: [] });
  configMock.on(GetAggregateComplianceDetailsByConfigRuleCommand).resolves({ AggregateEvaluationResults: [] });
});

describe('readAggregator', () => {
  it('reads every page of every account and Region that holds a rule, as findings with the annotation and the rule\'s runbook', async () => {
    const rule = 'team-a-ena-instance-enabled';
    configMock
      .on(DescribeAggregateComplianceByConfigRulesCommand, { Filters: { ConfigRuleName: rule } })
      .resolves({ AggregateComplianceByConfigRules: [{ ConfigRuleName: rule, AccountId: '222222222222', AwsRegion: 'eu-west-1', Compliance: { ComplianceType: 'NON_COMPLIANT' } }], NextToken: 'more' })
      .on(DescribeAggregateComplianceByConfigRulesCommand, { Filters: { ConfigRuleName: rule }, NextToken: 'more' })
      .resolves({ AggregateComplianceByConfigRules: [{ ConfigRuleName: rule, AccountId: '333333333333', AwsRegion: 'us-east-1', Compliance: { ComplianceType: 'COMPLIANT' } }] });
    configMock
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: rule, AccountId: '222222222222', AwsRegion: 'eu-west-1' })
      .resolves({ AggregateEvaluationResults: [result(rule, '222222222222', 'eu-west-1', 'i-1', 'NON_COMPLIANT', 'enaSupport is not set.')], NextToken: 'page-2' })
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: rule, AccountId: '222222222222', AwsRegion: 'eu-west-1', NextToken: 'page-2' })
      .resolves({ AggregateEvaluationResults: [result(rule, '222222222222', 'eu-west-1', 'i-2', 'COMPLIANT', 'enaSupport is true.')] })
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: rule, AccountId: '333333333333', AwsRegion: 'us-east-1' })
      .resolves({ AggregateEvaluationResults: [result(rule, '333333333333', 'us-east-1', 'i-3', 'INSUFFICIENT_DATA')] });

    const { findings, runs } = await readAggregator(options({ namePrefix: 'team-a-' }));

    expect(findings).toEqual([
      { rule: 'ena-instance-enabled', accountId: '222222222222', region: 'eu-west-1', resourceType: 'AWS::EC2::Instance', resourceId: 'i-1', subject: '', verdict: 'NON_COMPLIANT', annotation: 'enaSupport is not set.', reasons: [], runbook: 'EnaGuard-EnableEnaSupport' },
      { rule: 'ena-instance-enabled', accountId: '222222222222', region: 'eu-west-1', resourceType: 'AWS::EC2::Instance', resourceId: 'i-2', subject: '', verdict: 'COMPLIANT', annotation: 'enaSupport is true.', reasons: [] },
      { rule: 'ena-instance-enabled', accountId: '333333333333', region: 'us-east-1', resourceType: 'AWS::EC2::Instance', resourceId: 'i-3', subject: '', verdict: 'NOT_JUDGED', annotation: 'Config reports INSUFFICIENT_DATA.', reasons: [] },
    ]);
    expect(runs).toEqual([
      { rule: 'ena-instance-enabled', accountId: '222222222222', region: 'eu-west-1', complete: true },
      { rule: 'ena-instance-enabled', accountId: '333333333333', region: 'us-east-1', complete: true },
    ]);
    // Every rule of the registry is looked up under its deployed name (the first over two pages).
    expect(configMock.commandCalls(DescribeAggregateComplianceByConfigRulesCommand).map((call) => call.args[0].input.Filters?.ConfigRuleName)).toEqual([
      rule,
      ...RULES.map((declaration) => `team-a-${declaration.id}`),
    ]);
    expect(configMock.commandCalls(GetAggregateComplianceDetailsByConfigRuleCommand).every((call) => call.args[0].input.ConfigurationAggregatorName === 'org' && call.args[0].input.Limit === 100)).toBe(true);
  });

  it('keeps the results of the other pairs when one pair cannot be read, and marks that run incomplete', async () => {
    const rule = 'ena-image-enabled';
    configMock.on(DescribeAggregateComplianceByConfigRulesCommand, { Filters: { ConfigRuleName: rule } }).resolves({
      AggregateComplianceByConfigRules: [
        { ConfigRuleName: rule, AccountId: '222222222222', AwsRegion: 'eu-west-1' },
        { ConfigRuleName: rule, AccountId: '333333333333', AwsRegion: 'eu-west-1' },
      ],
    });
    configMock
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { AccountId: '222222222222' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { AccountId: '333333333333' })
      .resolves({ AggregateEvaluationResults: [result(rule, '333333333333', 'eu-west-1', 'lt-1', 'COMPLIANT', 'ok')] });

    const { findings, runs } = await readAggregator(options());

    expect(findings.map((finding) => `${finding.accountId} ${finding.resourceId} ${finding.verdict}`)).toEqual(['333333333333 lt-1 COMPLIANT']);
    expect(runs).toEqual([
      { rule, accountId: '222222222222', region: 'eu-west-1', complete: false, error: 'GetAggregateComplianceDetailsByConfigRule failed: ThrottlingException: Rate exceeded' },
      { rule, accountId: '333333333333', region: 'eu-west-1', complete: true },
    ]);
  });

  it('says there is no such aggregator in the Region', async () => {
    configMock.on(DescribeAggregateComplianceByConfigRulesCommand).rejects(new NoSuchConfigurationAggregatorException({ $metadata: {}, message: 'The configuration aggregator does not exist.' }));

    await expect(readAggregator(options({ name: 'missing' }))).rejects.toThrow(new EnaGuardError('There is no Config aggregator named missing in eu-west-1 (pass --region for the aggregator\'s Region).'));
  });

  it('throws CredentialsError when AWS refuses the credentials, before reading Config', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId' }));

    const error = await readAggregator(options()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toBe('AWS refused the default credentials in eu-west-1: The security token included in the request is invalid (InvalidClientTokenId).');
    expect(configMock.calls()).toHaveLength(0);
  });
});

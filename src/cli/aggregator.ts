/**
 * `ena-guard report --aggregator NAME`: an organization's ena-guard results read back from an AWS
 * Config aggregator, as findings: no re-scan.
 *
 * GetAggregateComplianceDetailsByConfigRule answers for one rule in one account and Region (both
 * required), so the pairs that hold each rule come first, from
 * DescribeAggregateComplianceByConfigRules filtered on the rule's name; then every pair's results,
 * all pages. Config keeps COMPLIANT and NON_COMPLIANT results in an aggregator (its filters accept
 * no other values); anything else it returns (INSUFFICIENT_DATA) is NOT_JUDGED.
 */
import {
  paginateDescribeAggregateComplianceByConfigRules,
  paginateGetAggregateComplianceDetailsByConfigRule,
  type AggregateEvaluationResult,
  type ConfigServiceClient,
} from '@aws-sdk/client-config-service';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import pLimit from 'p-limit';
import { RULES } from '../../rules/registry.js';
import type { RuleDeclaration } from '../../rules/declaration.js';
import { createConfigServiceClient, createStsClient } from '../aws/clients.js';
import { callerCredentials, callerIdentity } from '../aws/credentials.js';
import { CredentialsError, EnaGuardError, describeError } from '../errors.js';
import { defaultRegion } from './estate.js';
import type { Finding, FindingVerdict, RunRecord } from './findings.js';

/** GetAggregateComplianceDetailsByConfigRule's largest page. */
export const AGGREGATE_RESULTS_PER_PAGE = 100;
/** DescribeAggregateComplianceByConfigRules' largest page. */
export const AGGREGATE_RULES_PER_PAGE = 1000;
/** Account × Region pairs read at once. */
const PAIR_CONCURRENCY = 4;

export interface AggregatorOptions {
  readonly name: string;
  readonly profile?: string;
  readonly region?: string;
  /** Deployed rule names to read (default: every rule id, with `namePrefix` before it). */
  readonly namePrefix?: string;
  /** The caller's credentials (default: the profile's, or the SDK's default chain). */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** Endpoint overrides are read from here (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** @throws CredentialsError when AWS refuses the credentials. */
export async function readAggregator(options: AggregatorOptions): Promise<{ readonly findings: readonly Finding[]; readonly runs: readonly RunRecord[] }> {
  const env = options.env ?? process.env;
  const region = options.region ?? (await defaultRegion(options.profile));
  const credentials = options.credentials ?? callerCredentials(options.profile);
  const who = options.profile ? `the credentials of profile ${options.profile}` : 'the default credentials';
  await callerIdentity(createStsClient({ region, credentials, env }), region, who);
  const config = createConfigServiceClient({ region, credentials, env });
  const prefix = options.namePrefix ?? '';

  const findings: Finding[] = [];
  const runs: RunRecord[] = [];
  for (const rule of RULES) {
    const ruleName = `${prefix}${rule.id}`;
    const pairs = await rulePairs(config, options.name, ruleName, region);
    const limit = pLimit(PAIR_CONCURRENCY);
    const read = await Promise.all(
      pairs.map((pair) =>
        limit(async () => {
          try {
            return { pair, results: await pairResults(config, options.name, ruleName, pair) };
          } catch (error) {
            return { pair, error: `GetAggregateComplianceDetailsByConfigRule failed: ${describeError(error)}` };
          }
        }),
      ),
    );
    for (const outcome of read) {
      runs.push({ rule: rule.id, ...outcome.pair, complete: outcome.error === undefined, ...(outcome.error ? { error: outcome.error } : {}) });
      for (const result of outcome.results ?? []) findings.push(findingOf(rule, outcome.pair, result));
    }
  }
  return { findings, runs };
}

interface Pair {
  readonly accountId: string;
  readonly region: string;
}

/** The account and Region pairs whose results the aggregator holds for one rule. */
async function rulePairs(config: ConfigServiceClient, aggregator: string, ruleName: string, region: string): Promise<Pair[]> {
  const pairs: Pair[] = [];
  try {
    const pages = paginateDescribeAggregateComplianceByConfigRules(
      { client: config, pageSize: AGGREGATE_RULES_PER_PAGE },
      { ConfigurationAggregatorName: aggregator, Filters: { ConfigRuleName: ruleName } },
    );
    for await (const page of pages) {
      for (const entry of page.AggregateComplianceByConfigRules ?? []) {
        // The filter is on the name; a rule of another name is not ours (defensive: Config matches exactly).
        if (entry.ConfigRuleName !== ruleName || !entry.AccountId || !entry.AwsRegion) continue;
        if (!pairs.some((pair) => pair.accountId === entry.AccountId && pair.region === entry.AwsRegion)) pairs.push({ accountId: entry.AccountId, region: entry.AwsRegion });
      }
    }
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchConfigurationAggregatorException') {
      throw new EnaGuardError(`There is no Config aggregator named ${aggregator} in ${region} (pass --region for the aggregator's Region).`, { cause: error });
    }
    throw new CredentialsError(`AWS Config refused to read aggregator ${aggregator} in ${region} (DescribeAggregateComplianceByConfigRules for ${ruleName}): ${describeError(error)}.`, { cause: error });
  }
  return pairs;
}

async function pairResults(config: ConfigServiceClient, aggregator: string, ruleName: string, pair: Pair): Promise<AggregateEvaluationResult[]> {
  const results: AggregateEvaluationResult[] = [];
  const pages = paginateGetAggregateComplianceDetailsByConfigRule(
    { client: config, pageSize: AGGREGATE_RESULTS_PER_PAGE },
    { ConfigurationAggregatorName: aggregator, ConfigRuleName: ruleName, AccountId: pair.accountId, AwsRegion: pair.region },
  );
  for await (const page of pages) results.push(...(page.AggregateEvaluationResults ?? []));
  return results;
}

function findingOf(rule: RuleDeclaration, pair: Pair, result: AggregateEvaluationResult): Finding {
  const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
  const compliance = result.ComplianceType;
  const verdict: FindingVerdict = compliance === 'COMPLIANT' || compliance === 'NON_COMPLIANT' || compliance === 'NOT_APPLICABLE' ? compliance : 'NOT_JUDGED';
  const runbook = verdict === 'NON_COMPLIANT' ? rule.remediation?.document : undefined;
  return {
    rule: rule.id,
    accountId: result.AccountId ?? pair.accountId,
    region: result.AwsRegion ?? pair.region,
    resourceType: qualifier?.ResourceType ?? '',
    resourceId: qualifier?.ResourceId ?? '',
    // Config keeps no instance type or AMI with a result.
    subject: '',
    verdict,
    annotation: result.Annotation ?? (verdict === 'NOT_JUDGED' ? `Config reports ${compliance ?? 'no compliance type'}.` : ''),
    reasons: [],
    ...(runbook ? { runbook } : {}),
  };
}

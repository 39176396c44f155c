/**
 * The report document every CLI output format renders: one definition of what a run found, where
 * and when, so that table, JSON, CSV, HTML, ASFF and SARIF never disagree. JSON is this document
 * as it is (its JSON Schema ships as schemas/findings.schema.json, checked against this type by a
 * test); the other formats are views of it.
 */
import type { ComplianceType } from '../../rules/verdict.js';
import type { RuleRun } from './run-checks.js';

/** Bumped when a field changes meaning or goes away; adding a field is not a change. */
export const FINDINGS_SCHEMA_VERSION = '1.0';

/** A finding's verdict: a Config compliance type, or NOT_JUDGED when the rule could not decide. */
export type FindingVerdict = ComplianceType | 'NOT_JUDGED';

export interface Finding {
  readonly rule: string;
  /** The account the resource is in; '' when unknown (a snapshot exported without it). */
  readonly accountId: string;
  /** The resource's Region; '' when unknown. */
  readonly region: string;
  readonly resourceType: string;
  readonly resourceId: string;
  /** The instance type, or the AMI a launch template names: what a reader scans for. */
  readonly subject: string;
  readonly verdict: FindingVerdict;
  /** Config's annotation, or why the resource could not be judged. */
  readonly annotation: string;
  /** Machine-readable reasons (rule-specific codes). */
  readonly reasons: readonly string[];
  /** The runbook that fixes a NON_COMPLIANT finding, when the rule has one. */
  readonly runbook?: string;
}

/** How one rule ran over one account and Region. */
export interface RunRecord {
  readonly rule: string;
  readonly accountId: string;
  readonly region: string;
  /** False when the sweep did not cover every resource (a fact source failed, or input was missing). */
  readonly complete: boolean;
  /** Why it did not complete. */
  readonly error?: string;
}

export interface FindingsDocument {
  readonly schemaVersion: typeof FINDINGS_SCHEMA_VERSION;
  readonly tool: { readonly name: 'ena-guard'; readonly version: string };
  /** ISO 8601 time of the run (facts are dated by it: exemption expiries are compared with its day). */
  readonly generatedAt: string;
  /** Where the facts came from. */
  readonly source: { readonly kind: 'snapshot'; readonly path: string } | { readonly kind: 'live' } | { readonly kind: 'aggregator'; readonly name: string };
  readonly summary: Readonly<Record<FindingVerdict, number>> & { readonly total: number };
  readonly runs: readonly RunRecord[];
  readonly findings: readonly Finding[];
}

export function countVerdicts(findings: readonly Finding[]): FindingsDocument['summary'] {
  const counts = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0, NOT_JUDGED: 0 };
  for (const finding of findings) counts[finding.verdict] += 1;
  return { ...counts, total: findings.length };
}

/** A run's results as findings. `runbooks` maps a rule to the runbook that fixes it. */
export function findingsOf(runs: readonly (RuleRun & { readonly accountId?: string })[], runbooks: Readonly<Record<string, string>> = {}): Finding[] {
  return runs.flatMap((run) =>
    run.results.map((result) => {
      const judged = result.verdict.outcome === 'judged';
      const verdict: FindingVerdict = judged ? (result.verdict as { compliance: ComplianceType }).compliance : 'NOT_JUDGED';
      const runbook = verdict === 'NON_COMPLIANT' ? runbooks[run.ruleName] : undefined;
      return {
        rule: run.ruleName,
        accountId: run.accountId ?? '',
        region: run.region ?? '',
        resourceType: result.resourceType,
        resourceId: result.resourceId,
        subject: result.details?.instanceType ?? result.details?.imageId ?? '',
        verdict,
        annotation: result.verdict.outcome === 'judged' ? result.verdict.annotation : result.verdict.detail,
        reasons: result.verdict.reasons,
        ...(runbook ? { runbook } : {}),
      };
    }),
  );
}

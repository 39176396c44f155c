/**
 * SARIF 2.1.0 (OASIS): one run whose driver declares every rule, and one result per finding,
 * located by the AWS resource (a logical location: there is no source file to point at).
 * NON_COMPLIANT is an error; NOT_JUDGED a warning (kind "fail": the resource still needs a look,
 * as the CLI's exit code says); COMPLIANT and NOT_APPLICABLE are kept as "pass" and
 * "notApplicable" with level "none", so a viewer can show coverage.
 */
import { RULES } from '../../../rules/registry.js';
import type { Finding, FindingsDocument } from '../findings.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type Level = 'error' | 'warning' | 'none';
type Kind = 'fail' | 'pass' | 'notApplicable';

const OUTCOME: Readonly<Record<Finding['verdict'], { readonly kind: Kind; readonly level: Level }>> = {
  NON_COMPLIANT: { kind: 'fail', level: 'error' },
  NOT_JUDGED: { kind: 'fail', level: 'warning' },
  COMPLIANT: { kind: 'pass', level: 'none' },
  NOT_APPLICABLE: { kind: 'notApplicable', level: 'none' },
};

/** Rules ena-guard declares, then any other rule the document names (an aggregator can hold older ones). */
function rulesOf(document: FindingsDocument) {
  const declared = RULES.map((rule) => ({ id: rule.id, shortDescription: { text: rule.description } }));
  const others = [...new Set(document.findings.map((finding) => finding.rule))]
    .filter((id) => !declared.some((rule) => rule.id === id))
    .map((id) => ({ id, shortDescription: { text: `${id} (not a rule of this ena-guard version)` } }));
  return [...declared, ...others];
}

export function renderSarif(document: FindingsDocument): string {
  const rules = rulesOf(document);
  const incomplete = document.runs.filter((run) => !run.complete);
  const results = document.findings.map((finding) => {
    const scope = [finding.accountId, finding.region].filter(Boolean).join('/');
    return {
      ruleId: finding.rule,
      ruleIndex: rules.findIndex((rule) => rule.id === finding.rule),
      ...OUTCOME[finding.verdict],
      message: { text: finding.annotation || `${finding.verdict}: ${finding.resourceId}` },
      locations: [
        {
          logicalLocations: [
            {
              name: finding.resourceId,
              fullyQualifiedName: [scope, finding.resourceType, finding.resourceId].filter(Boolean).join('/'),
              kind: 'resource',
            },
          ],
        },
      ],
      // Identifies the same resource across runs, so viewers track it instead of reopening it.
      partialFingerprints: { 'enaGuardResource/v1': [finding.rule, finding.accountId, finding.region, finding.resourceType, finding.resourceId].join('|') },
      properties: {
        verdict: finding.verdict,
        accountId: finding.accountId,
        region: finding.region,
        resourceType: finding.resourceType,
        subject: finding.subject,
        reasons: finding.reasons,
        ...(finding.runbook ? { runbook: finding.runbook } : {}),
      },
    };
  });
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: document.tool.name, version: document.tool.version, semanticVersion: document.tool.version, rules } },
        invocations: [
          {
            executionSuccessful: incomplete.length === 0,
            endTimeUtc: document.generatedAt,
            toolExecutionNotifications: incomplete.map((run) => ({
              level: 'error',
              message: { text: `${run.rule} did not cover ${[run.accountId, run.region].filter(Boolean).join(' ') || 'every resource'}: ${run.error ?? 'the sweep did not complete'}` },
              associatedRule: { id: run.rule },
            })),
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

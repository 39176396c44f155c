/**
 * Renders rule runs for people (an aligned text table) and machines (JSON, CSV). The table is
 * hand-written on purpose: plain columns that grep and diff well, with no box drawing, are a
 * dozen lines; table libraries add borders and wrapping we would then have to turn off.
 */
import type { ComplianceType } from '../../rules/verdict.js';
import type { RuleRun } from './run-checks.js';

export interface ReportRow {
  readonly rule: string;
  /** The Region, in live mode; '' for a snapshot. */
  readonly region: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly subject: string;
  /** A Config compliance type, or NOT_JUDGED when the rule could not decide. */
  readonly verdict: ComplianceType | 'NOT_JUDGED';
  readonly annotation: string;
  readonly reasons: readonly string[];
}

export function toRows(runs: readonly RuleRun[]): ReportRow[] {
  return runs.flatMap((run) =>
    run.results.map((result) => ({
      rule: run.ruleName,
      region: run.region ?? '',
      resourceType: result.resourceType,
      resourceId: result.resourceId,
      subject: result.details?.instanceType ?? result.details?.imageId ?? '',
      verdict: result.verdict.outcome === 'judged' ? result.verdict.compliance : 'NOT_JUDGED',
      annotation: result.verdict.outcome === 'judged' ? result.verdict.annotation : result.verdict.detail,
      reasons: result.verdict.reasons,
    })),
  );
}

export type VerdictCounts = Record<ReportRow['verdict'], number>;

export function countVerdicts(rows: readonly ReportRow[]): VerdictCounts {
  const counts: VerdictCounts = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0, NOT_JUDGED: 0 };
  for (const row of rows) counts[row.verdict] += 1;
  return counts;
}

export function summaryLine(rows: readonly ReportRow[]): string {
  const counts = countVerdicts(rows);
  return `${rows.length} evaluations: ${counts.COMPLIANT} COMPLIANT, ${counts.NON_COMPLIANT} NON_COMPLIANT, ${counts.NOT_APPLICABLE} NOT_APPLICABLE, ${counts.NOT_JUDGED} NOT_JUDGED`;
}

export function renderTable(rows: readonly ReportRow[]): string {
  const regional = rows.some((row) => row.region !== '');
  const header = [...(regional ? ['REGION'] : []), 'RULE', 'RESOURCE', 'TYPE', 'VERDICT', 'ANNOTATION'];
  const cells = rows.map((row) => [...(regional ? [row.region] : []), row.rule, row.resourceId, row.subject, row.verdict, row.annotation]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)));
  const format = (line: readonly string[]) =>
    line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  return [format(header), ...cells.map(format), '', summaryLine(rows)].join('\n');
}

export function renderJson(rows: readonly ReportRow[]): string {
  return JSON.stringify({ summary: countVerdicts(rows), evaluations: rows }, null, 2);
}

export function renderCsv(rows: readonly ReportRow[]): string {
  const quote = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const header = ['rule', 'region', 'resourceType', 'resourceId', 'subject', 'verdict', 'annotation', 'reasons'];
  const lines = rows.map((row) =>
    [row.rule, row.region, row.resourceType, row.resourceId, row.subject, row.verdict, row.annotation, row.reasons.join(' ')].map(quote).join(','),
  );
  return [header.join(','), ...lines].join('\n');
}

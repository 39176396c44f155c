/** CSV: one line per finding. (To be replaced by csv-stringify with formula neutralising.) */
import type { FindingsDocument } from '../findings.js';

export function renderCsv(document: FindingsDocument): string {
  const quote = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const header = ['rule', 'accountId', 'region', 'resourceType', 'resourceId', 'subject', 'verdict', 'annotation', 'reasons', 'runbook'];
  const lines = document.findings.map((row) =>
    [row.rule, row.accountId, row.region, row.resourceType, row.resourceId, row.subject, row.verdict, row.annotation, row.reasons.join(' '), row.runbook ?? ''].map(quote).join(','),
  );
  return [header.join(','), ...lines].join('\n');
}

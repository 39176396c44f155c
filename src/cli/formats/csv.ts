/** CSV: a header and one line per finding, for spreadsheets. */
import { stringify } from 'csv-stringify/sync';
import type { FindingsDocument } from '../findings.js';

export const CSV_COLUMNS = ['rule', 'accountId', 'region', 'resourceType', 'resourceId', 'subject', 'verdict', 'annotation', 'reasons', 'runbook'] as const;

/**
 * Annotations and ids echo tag values and other text anyone with EC2 access can set, so a cell
 * could start a spreadsheet formula. `escape_formulas` prefixes a single quote to any cell that
 * begins with `=`, `+`, `-`, `@`, tab or carriage return (and their full-width forms): OWASP's
 * "CSV Injection" guidance. RFC 4180 quoting of commas, quotes and newlines is csv-stringify's.
 */
export function renderCsv(document: FindingsDocument): string {
  const records = document.findings.map((finding) => [
    finding.rule,
    finding.accountId,
    finding.region,
    finding.resourceType,
    finding.resourceId,
    finding.subject,
    finding.verdict,
    finding.annotation,
    finding.reasons.join(' '),
    finding.runbook ?? '',
  ]);
  return stringify([[...CSV_COLUMNS], ...records], { escape_formulas: true }).replace(/\n$/, '');
}

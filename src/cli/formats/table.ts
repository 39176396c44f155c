/**
 * The table for people: plain aligned columns that grep and diff well, with no box drawing (a
 * dozen lines by hand; table libraries add borders and wrapping we would then turn off).
 */
import type { FindingsDocument } from '../findings.js';
import type { RenderOptions } from './index.js';

export function summaryLine(document: FindingsDocument): string {
  const { summary } = document;
  return `${summary.total} evaluations: ${summary.COMPLIANT} COMPLIANT, ${summary.NON_COMPLIANT} NON_COMPLIANT, ${summary.NOT_APPLICABLE} NOT_APPLICABLE, ${summary.NOT_JUDGED} NOT_JUDGED`;
}

export function renderTable(document: FindingsDocument, _options: RenderOptions): string {
  const rows = document.findings;
  const regional = rows.some((row) => row.region !== '');
  const header = [...(regional ? ['REGION'] : []), 'RULE', 'RESOURCE', 'TYPE', 'VERDICT', 'ANNOTATION'];
  const cells = rows.map((row) => [...(regional ? [row.region] : []), row.rule, row.resourceId, row.subject, row.verdict, row.annotation]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)));
  const format = (line: readonly string[]) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  return [format(header), ...cells.map(format), '', summaryLine(document)].join('\n');
}

/**
 * The table for people: plain aligned columns that grep and diff well, with no box drawing (a
 * dozen lines by hand; table libraries add borders and wrapping we would then turn off).
 */
import type { FindingVerdict, FindingsDocument } from '../findings.js';
import type { RenderOptions } from './render-options.js';

/**
 * ANSI SGR codes (on, off) per verdict. Written out rather than util.styleText, which Node 20
 * only has from 20.12 (the CLI supports every Node 20) and which second-guesses the caller's
 * decision about the stream.
 */
const VERDICT_STYLE: Readonly<Record<FindingVerdict, readonly [number, number]>> = {
  NON_COMPLIANT: [31, 39], // red
  COMPLIANT: [32, 39], // green
  NOT_JUDGED: [33, 39], // yellow
  NOT_APPLICABLE: [2, 22], // dim
};

function paintVerdict(verdict: FindingVerdict): string {
  const [on, off] = VERDICT_STYLE[verdict];
  return `\u001b[${on}m${verdict}\u001b[${off}m`;
}

export function summaryLine(document: FindingsDocument): string {
  const { summary } = document;
  return `${summary.total} evaluations: ${summary.COMPLIANT} COMPLIANT, ${summary.NON_COMPLIANT} NON_COMPLIANT, ${summary.NOT_APPLICABLE} NOT_APPLICABLE, ${summary.NOT_JUDGED} NOT_JUDGED`;
}

/**
 * The findings as aligned columns and a summary line. With `colour`, verdict words carry ANSI
 * colours; the caller decides (TTY, NO_COLOR).
 */
export function renderTable(document: FindingsDocument, options: RenderOptions): string {
  const rows = document.findings;
  // A snapshot is one account and Region, which the summary's source names: no column for them.
  const regional = document.source.kind !== 'snapshot' && rows.some((row) => row.region !== '');
  const verdictColumn = regional ? 4 : 3;
  const header = [...(regional ? ['REGION'] : []), 'RULE', 'RESOURCE', 'TYPE', 'VERDICT', 'ANNOTATION'];
  const cells = rows.map((row) => [...(regional ? [row.region] : []), row.rule, row.resourceId, row.subject, row.verdict, row.annotation]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)));
  // Pad the plain text, then colour the word: escape codes must not count towards the width.
  const paint = (cell: string, padded: string, column: number, isHeader: boolean) =>
    options.colour && !isHeader && column === verdictColumn && cell in VERDICT_STYLE
      ? `${paintVerdict(cell as FindingVerdict)}${padded.slice(cell.length)}`
      : padded;
  const format = (line: readonly string[], isHeader = false) =>
    line.map((cell, column) => paint(cell, column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0), column, isHeader)).join('  ');
  return [format(header, true), ...cells.map((line) => format(line)), '', summaryLine(document)].join('\n');
}

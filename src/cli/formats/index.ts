/**
 * Every output format of the CLI, each a view of one FindingsDocument (src/cli/findings.ts).
 */
import type { FindingsDocument } from '../findings.js';
import { renderCsv } from './csv.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RenderOptions {
  /** Colour verdicts (a terminal, and NO_COLOR unset): the table only. */
  readonly colour: boolean;
}

export function render(document: FindingsDocument, format: OutputFormat, options: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(document, options);
    case 'json':
      return renderJson(document);
    case 'csv':
      return renderCsv(document);
  }
}

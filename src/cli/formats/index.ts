/**
 * Every output format of the CLI, each a view of one FindingsDocument (src/cli/findings.ts).
 */
import type { FindingsDocument } from '../findings.js';
import { renderAsff } from './asff.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import type { RenderOptions } from './render-options.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export type { RenderOptions } from './render-options.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv', 'html', 'asff', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The document in `format`, without a trailing newline (the caller writes one). */
export function render(document: FindingsDocument, format: OutputFormat, options: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(document, options);
    case 'json':
      return renderJson(document);
    case 'csv':
      return renderCsv(document);
    case 'html':
      return renderHtml(document);
    case 'asff':
      return renderAsff(document);
    case 'sarif':
      return renderSarif(document);
  }
}

import { describe, expect, it } from 'vitest';
import { OUTPUT_FORMATS, render } from '../../../src/cli/formats/index.js';
import { demoDocument, documentOf } from './documents.js';

describe('the output formats', () => {
  it('are table, json, csv, html, asff and sarif', () => {
    expect(OUTPUT_FORMATS).toEqual(['table', 'json', 'csv', 'html', 'asff', 'sarif']);
  });

  it.each(OUTPUT_FORMATS)('render the demo fleet as %s, ending without a newline (the CLI writes one)', async (format) => {
    const text = render(await demoDocument(), format, { colour: false });

    expect(text.length).toBeGreaterThan(0);
    expect(text.endsWith('\n')).toBe(false);
  });

  it.each(OUTPUT_FORMATS)('render a run that found nothing as %s', (format) => {
    expect(() => render(documentOf([]), format, { colour: false })).not.toThrow();
  });

  it.each(OUTPUT_FORMATS.filter((format) => format !== 'table'))('print no ANSI colour in %s, even when asked for colour', async (format) => {
    expect(render(await demoDocument(), format, { colour: true })).not.toContain('\u001b[');
  });
});

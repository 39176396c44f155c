/**
 * The HTML report in a real headless Chromium (playwright-core), with every network request
 * refused and recorded: the page must work on its own, show what the document holds, sort and
 * filter, and never run or load what an annotation smuggles in.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingVerdict, FindingsDocument } from '../../../src/cli/findings.js';
import { CHART_BAR_HEIGHT, escapeHtml, scopeLabel } from '../../../src/cli/formats/html.js';
import { render } from '../../../src/cli/formats/index.js';
import { chromiumPath } from '../../support/chromium.js';
import { HOSTILE_ANNOTATIONS, demoDocument, documentOf, finding } from './documents.js';

const VERDICTS: readonly FindingVerdict[] = ['NON_COMPLIANT', 'NOT_JUDGED', 'COMPLIANT', 'NOT_APPLICABLE'];
/** The little of the DOM the page functions touch (the project compiles without lib "dom"). */
interface RowElement {
  readonly hidden: boolean;
  readonly cells: ArrayLike<{ readonly textContent: string | null }>;
}
interface BarElement {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { readonly height: number };
}

const SCREENSHOT = fileURLToPath(new URL('../../../.tmp/report-screenshot.png', import.meta.url));

describe('the html format as text', () => {
  it('is one self-contained file: no external scripts, styles, fonts or images', () => {
    const html = render(documentOf([finding()]), 'html', { colour: false });

    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`content="default-src &#39;none&#39;;`);
  });

  it('escapes every value it shows', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    const html = render(documentOf([finding({ annotation: '<script>alert(1)</script>', resourceId: '"><b>' })]), 'html', { colour: false });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('"><b>');
  });
});

const browserPath = chromiumPath();

describe.skipIf(!browserPath)('the html format in headless Chromium (requires chromium)', () => {
  let browser: Browser;
  let demo: FindingsDocument;
  const requests: string[] = [];
  const problems: string[] = [];

  async function open(document: FindingsDocument): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.route('**', async (route) => {
      requests.push(route.request().url());
      await route.abort();
    });
    page.on('request', (request) => requests.push(request.url()));
    // A script or style blocked by the page's own Content-Security-Policy shows up here.
    page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())));
    page.on('pageerror', (error) => problems.push(error.message));
    await page.setContent(render(document, 'html', { colour: false }), { waitUntil: 'load' });
    return page;
  }

  const visibleRows = (page: Page) =>
    page.$$eval('#findings tbody tr', (rows) =>
      (rows as unknown as RowElement[]).filter((row) => !row.hidden).map((row) => Array.from(row.cells, (cell) => cell.textContent ?? '')),
    );

  beforeAll(async () => {
    demo = await demoDocument();
    browser = await chromium.launch({ executablePath: browserPath!, args: ['--no-sandbox'] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the summary counts of the document', async () => {
    const page = await open(demo);

    const counts = await page.$$eval('.summary .count', (cards) => cards.map((card) => [card.getAttribute('data-verdict'), card.querySelector('.n')?.textContent]));

    expect(Object.fromEntries(counts)).toEqual({ total: String(demo.summary.total), ...Object.fromEntries(VERDICTS.map((verdict) => [verdict, String(demo.summary[verdict])])) });
    await page.close();
  });

  it('draws one bar group per rule and per account/Region, each bar as tall as its count', async () => {
    const page = await open(demo);
    const expected = (key: (finding: FindingsDocument['findings'][number]) => string) => {
      const groups = new Map<string, Record<string, number>>();
      for (const item of demo.findings) {
        const counts = groups.get(key(item)) ?? Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0]));
        counts[item.verdict]! += 1;
        groups.set(key(item), counts);
      }
      return groups;
    };
    const drawn = (chart: string) =>
      page.$$eval(`#${chart} .bar-group`, (groups) =>
        groups.map((group) => ({
          label: group.querySelector('text.label')?.textContent,
          bars: Array.from(group.querySelectorAll('rect.bar') as unknown as ArrayLike<BarElement>, (bar) => ({ verdict: bar.getAttribute('data-verdict'), height: Number(bar.getAttribute('height')), rendered: bar.getBoundingClientRect().height })),
        })),
      );

    for (const [chart, groups] of [
      ['chart-rules', expected((item) => item.rule)],
      ['chart-scopes', expected(scopeLabel)],
    ] as const) {
      const largest = Math.max(...[...groups.values()].flatMap((counts) => Object.values(counts)));
      const bars = await drawn(chart);
      expect(bars.map((group) => group.label)).toEqual([...groups.keys()]);
      for (const group of bars) {
        const counts = groups.get(group.label!)!;
        expect(group.bars.map((bar) => bar.verdict)).toEqual(VERDICTS);
        for (const bar of group.bars) {
          expect(bar.height).toBeCloseTo((counts[bar.verdict!]! / largest) * CHART_BAR_HEIGHT, 6);
          expect(bar.rendered).toBeCloseTo(bar.height, 0);
        }
      }
    }
    expect((await drawn('chart-rules')).map((group) => group.label)).toEqual([...new Set(demo.findings.map((item) => item.rule))]);
    expect(await drawn('chart-scopes')).toHaveLength(2);
    await page.close();
  });

  it('lists every finding, and narrows the rows to those matching the filter text and verdict', async () => {
    const page = await open(demo);
    expect(await visibleRows(page)).toHaveLength(demo.findings.length);

    await page.fill('#filter', 'I-0A11C0FFEE0000003');
    const byText = await visibleRows(page);
    await page.selectOption('#verdict', 'NON_COMPLIANT');
    const byTextAndVerdict = await visibleRows(page);
    await page.fill('#filter', '');
    const byVerdict = await visibleRows(page);

    const matching = demo.findings.filter((item) => item.resourceId === 'i-0a11c0ffee0000003');
    expect(byText.map((cells) => cells[3])).toEqual(matching.map((item) => item.resourceId));
    expect(byTextAndVerdict).toHaveLength(matching.filter((item) => item.verdict === 'NON_COMPLIANT').length);
    expect(byTextAndVerdict.length).toBeGreaterThan(0);
    expect(byVerdict).toHaveLength(demo.summary.NON_COMPLIANT);
    expect(byVerdict.every((cells) => cells[6] === 'NON_COMPLIANT')).toBe(true);
    expect(await page.textContent('#shown')).toBe(`${demo.summary.NON_COMPLIANT} of ${demo.findings.length} findings shown`);
    await page.close();
  });

  it('sorts by a column on a header click, and reverses on a second click', async () => {
    const page = await open(demo);
    const column = async () => (await visibleRows(page)).map((cells) => cells[3]!);
    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    const ascending = demo.findings.map((item) => item.resourceId).sort(collator.compare);
    expect(await column()).not.toEqual(ascending);

    await page.click('#findings th:nth-child(4)');
    const first = await column();
    await page.click('#findings th:nth-child(4)');
    const second = await column();

    expect(first).toEqual(ascending);
    expect(second).toEqual([...ascending].reverse());
    expect(await page.getAttribute('#findings th:nth-child(4)', 'aria-sort')).toBe('descending');
    await page.close();
  });

  it('shows hostile annotations as text: nothing runs, nothing loads', async () => {
    const hostile = documentOf(HOSTILE_ANNOTATIONS.map((annotation, index) => finding({ resourceId: `i-${index}`, annotation })));
    const before = requests.length;
    const page = await open(hostile);

    const annotations = await page.$$eval('#findings tbody td:nth-child(8)', (cells) => cells.map((cell) => cell.textContent));

    expect(annotations).toEqual(HOSTILE_ANNOTATIONS.map((annotation) => annotation.replace(/\r\n?/g, '\n')));
    expect(await page.evaluate(() => (globalThis as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(await page.$$('#findings tbody script, #findings tbody img')).toHaveLength(0);
    expect(requests.slice(before)).toEqual([]);
    await page.close();
  });

  it('makes no network request, and leaves a screenshot in .tmp/report-screenshot.png', async () => {
    const page = await open(demo);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });

    await page.screenshot({ path: SCREENSHOT });

    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});

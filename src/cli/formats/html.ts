/**
 * HTML: one self-contained page (inline CSS, SVG and script; no network, fonts or images) with the
 * summary, bar charts of verdicts by rule and by account/Region, and a table of findings that
 * sorts on a header click and filters by text and verdict.
 *
 * Annotations, ids and tags are text anyone with EC2 access can set, so every value is escaped,
 * and a Content-Security-Policy allows only this page's own script and style (by hash): markup
 * that slipped through escaping still could not run or load anything.
 */
import { createHash } from 'node:crypto';
import type { Finding, FindingVerdict, FindingsDocument } from '../findings.js';

const VERDICTS: readonly FindingVerdict[] = ['NON_COMPLIANT', 'NOT_JUDGED', 'COMPLIANT', 'NOT_APPLICABLE'];

const COLOUR: Readonly<Record<FindingVerdict, string>> = {
  NON_COMPLIANT: '#c62828',
  NOT_JUDGED: '#f9a825',
  COMPLIANT: '#2e7d32',
  NOT_APPLICABLE: '#9e9e9e',
};

/** Height of the tallest bar, in SVG units. */
export const CHART_BAR_HEIGHT = 120;
const BAR_WIDTH = 14;
/** Room for a group's bars, or its label at about 6.6 units a character of the 11-unit font. */
const groupWidth = (labels: readonly string[]) => Math.ceil(Math.max(VERDICTS.length * BAR_WIDTH + 36, ...labels.map((label) => label.length * 6.6 + 16)));

/** The table's columns; the short ids (class `id`) stay on one line. */
const COLUMNS: readonly { readonly title: string; readonly value: (finding: Finding) => string; readonly className?: string }[] = [
  { title: 'Rule', value: (finding) => finding.rule, className: 'id' },
  { title: 'Account', value: (finding) => finding.accountId, className: 'id' },
  { title: 'Region', value: (finding) => finding.region, className: 'id' },
  { title: 'Resource', value: (finding) => finding.resourceId, className: 'id' },
  { title: 'Resource type', value: (finding) => finding.resourceType, className: 'id' },
  { title: 'Subject', value: (finding) => finding.subject, className: 'id' },
  { title: 'Verdict', value: (finding) => finding.verdict, className: 'verdict' },
  { title: 'Annotation', value: (finding) => finding.annotation },
  { title: 'Runbook', value: (finding) => finding.runbook ?? '' },
];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** How a finding's account and Region read in the chart. */
export function scopeLabel(finding: Pick<Finding, 'accountId' | 'region'>): string {
  return `${finding.accountId || 'unknown account'} ${finding.region || 'no Region'}`;
}

/** Verdict counts per group, in first-seen order. */
function countBy(findings: readonly Finding[], key: (finding: Finding) => string): Map<string, Record<FindingVerdict, number>> {
  const groups = new Map<string, Record<FindingVerdict, number>>();
  for (const finding of findings) {
    const name = key(finding);
    const counts = groups.get(name) ?? { NON_COMPLIANT: 0, NOT_JUDGED: 0, COMPLIANT: 0, NOT_APPLICABLE: 0 };
    counts[finding.verdict] += 1;
    groups.set(name, counts);
  }
  return groups;
}

/** A grouped bar chart: one group per key, one bar per verdict, heights relative to the largest count. */
export function barChart(id: string, title: string, groups: ReadonlyMap<string, Readonly<Record<FindingVerdict, number>>>): string {
  const largest = Math.max(1, ...[...groups.values()].flatMap((counts) => VERDICTS.map((verdict) => counts[verdict])));
  const top = 16;
  const slot = groupWidth([...groups.keys()]);
  const width = Math.max(slot, groups.size * slot);
  const height = top + CHART_BAR_HEIGHT + 40;
  const bars = [...groups].map(([name, counts], index) => {
    const left = index * slot + (slot - VERDICTS.length * BAR_WIDTH) / 2;
    const rects = VERDICTS.map((verdict, slot) => {
      const barHeight = (counts[verdict] / largest) * CHART_BAR_HEIGHT;
      const x = left + slot * BAR_WIDTH;
      const y = top + CHART_BAR_HEIGHT - barHeight;
      return (
        `<rect class="bar" data-verdict="${verdict}" data-count="${counts[verdict]}" x="${x}" y="${y}" width="${BAR_WIDTH - 2}" height="${barHeight}" fill="${COLOUR[verdict]}">` +
        `<title>${escapeHtml(name)}: ${counts[verdict]} ${verdict}</title></rect>` +
        (counts[verdict] > 0 ? `<text class="value" x="${x + (BAR_WIDTH - 2) / 2}" y="${y - 3}" text-anchor="middle">${counts[verdict]}</text>` : '')
      );
    }).join('');
    const label = `<text class="label" x="${left + (VERDICTS.length * BAR_WIDTH) / 2}" y="${top + CHART_BAR_HEIGHT + 16}" text-anchor="middle">${escapeHtml(name)}</text>`;
    return `<g class="bar-group" data-group="${escapeHtml(name)}">${rects}${label}</g>`;
  });
  return (
    `<figure><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg id="${id}" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<line x1="0" x2="${width}" y1="${top + CHART_BAR_HEIGHT}" y2="${top + CHART_BAR_HEIGHT}" stroke="#bbb"/>${bars.join('')}</svg></figure>`
  );
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#666;margin:0 0 16px}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}
.count{border:1px solid #ddd;border-left:6px solid var(--c);border-radius:4px;padding:8px 12px;min-width:120px}
.count .n{display:block;font-size:24px;font-weight:600}
.count[data-verdict=NON_COMPLIANT]{--c:#c62828}.count[data-verdict=NOT_JUDGED]{--c:#f9a825}
.count[data-verdict=COMPLIANT]{--c:#2e7d32}.count[data-verdict=NOT_APPLICABLE]{--c:#9e9e9e}.count[data-verdict=total]{--c:#455a64}
.charts{display:flex;gap:32px;flex-wrap:wrap;overflow-x:auto}
figure{margin:0 0 16px}figcaption{font-weight:600;margin-bottom:4px}
svg text{font-size:11px;fill:#333}
.legend{display:flex;gap:12px;margin:0 0 16px;padding:0;list-style:none}
.legend li::before{content:"";display:inline-block;width:10px;height:10px;margin-right:4px;background:var(--c)}
.legend li[data-verdict=NON_COMPLIANT]{--c:#c62828}.legend li[data-verdict=NOT_JUDGED]{--c:#f9a825}
.legend li[data-verdict=COMPLIANT]{--c:#2e7d32}.legend li[data-verdict=NOT_APPLICABLE]{--c:#9e9e9e}
.controls{display:flex;gap:8px;margin:8px 0}
.controls input{width:320px}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #eee;padding:4px 8px;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}
th{background:#f5f5f5;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.id{white-space:nowrap}td.verdict{font-weight:600;white-space:nowrap}
tr[data-verdict=NON_COMPLIANT] td.verdict{color:#c62828}tr[data-verdict=NOT_JUDGED] td.verdict{color:#9a6b00}
tr[data-verdict=COMPLIANT] td.verdict{color:#2e7d32}tr[data-verdict=NOT_APPLICABLE] td.verdict{color:#757575}
`;

// Sorting and filtering run on the rows already in the page: no data is parsed from strings.
const SCRIPT = `
(() => {
  const body = document.querySelector('#findings tbody');
  const rows = Array.from(body.rows);
  const filter = document.getElementById('filter');
  const verdict = document.getElementById('verdict');
  const shown = document.getElementById('shown');
  const apply = () => {
    const text = filter.value.trim().toLowerCase();
    let visible = 0;
    for (const row of rows) {
      const match = (!text || row.textContent.toLowerCase().includes(text)) && (!verdict.value || row.dataset.verdict === verdict.value);
      row.hidden = !match;
      if (match) visible += 1;
    }
    shown.textContent = visible + ' of ' + rows.length + ' findings shown';
  };
  filter.addEventListener('input', apply);
  verdict.addEventListener('change', apply);
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  document.querySelectorAll('#findings th').forEach((header, column) => {
    header.addEventListener('click', () => {
      const ascending = header.getAttribute('aria-sort') !== 'ascending';
      document.querySelectorAll('#findings th').forEach((other) => other.removeAttribute('aria-sort'));
      header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const sorted = Array.from(body.rows).sort((a, b) => collator.compare(a.cells[column].textContent, b.cells[column].textContent) * (ascending ? 1 : -1));
      body.append(...sorted);
    });
  });
  apply();
})();
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export function renderHtml(document: FindingsDocument): string {
  const { summary, findings } = document;
  const source = document.source.kind === 'snapshot' ? `snapshot ${document.source.path}` : document.source.kind === 'aggregator' ? `aggregator ${document.source.name}` : 'live AWS';
  const counts = [
    `<div class="count" data-verdict="total"><span class="n">${summary.total}</span>findings</div>`,
    ...VERDICTS.map((verdict) => `<div class="count" data-verdict="${verdict}"><span class="n">${summary[verdict]}</span>${verdict}</div>`),
  ].join('');
  const legend = VERDICTS.map((verdict) => `<li data-verdict="${verdict}">${verdict}</li>`).join('');
  const header = COLUMNS.map((column) => `<th scope="col">${escapeHtml(column.title)}</th>`).join('');
  const rows = findings
    .map(
      (finding) =>
        `<tr data-verdict="${escapeHtml(finding.verdict)}">${COLUMNS.map(
          (column) => `<td${column.className ? ` class="${column.className}"` : ''}>${escapeHtml(column.value(finding))}</td>`,
        ).join('')}</tr>`,
    )
    .join('\n');
  const options = VERDICTS.map((verdict) => `<option value="${verdict}">${verdict}</option>`).join('');
  const incomplete = document.runs.filter((run) => !run.complete);
  const warnings = incomplete.length
    ? `<ul class="incomplete">${incomplete.map((run) => `<li>${escapeHtml(`${run.rule} did not complete in ${scopeLabel(run)}: ${run.error ?? 'unknown reason'}`)}</li>`).join('')}</ul>`
    : '';
  const policy = `default-src 'none'; style-src ${hash(STYLE)}; script-src ${hash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ena-guard findings ${escapeHtml(document.generatedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>ena-guard findings</h1>
<p class="meta">${escapeHtml(`${document.tool.name} ${document.tool.version} · ${source} · ${document.generatedAt}`)}</p>
<section class="summary" aria-label="Summary">${counts}</section>
${warnings}
<ul class="legend">${legend}</ul>
<section class="charts">
${barChart('chart-rules', 'Verdicts by rule', countBy(findings, (finding) => finding.rule))}
${barChart('chart-scopes', 'Verdicts by account and Region', countBy(findings, scopeLabel))}
</section>
<div class="controls">
<input id="filter" type="search" placeholder="Filter findings" aria-label="Filter findings">
<select id="verdict" aria-label="Verdict"><option value="">All verdicts</option>${options}</select>
<span id="shown"></span>
</div>
<div class="scroll"><table id="findings">
<thead><tr>${header}</tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
<script>${SCRIPT}</script>
</body>
</html>`;
}


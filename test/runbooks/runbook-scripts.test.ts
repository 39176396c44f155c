/**
 * The Python the runbooks run in `aws:executeScript` steps, run here with python3 against the
 * TypeScript definitions it must agree with: the exemption check against
 * runbookExemptionDecision (rules/exemption.ts), case by case and on generated values, and the
 * lock times against their contract. Every runbook that carries a script carries the same text.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runbookExemptionDecision } from '../../rules/exemption.js';
import { TAG_KEY_PATTERN } from '../../rules/parameters.js';
import { documentsDir } from '../support/runbook-documents.js';
import { toolAvailable } from '../support/tools.js';

interface Step {
  readonly name: string;
  readonly action: string;
  readonly inputs: { readonly Script?: string; readonly Runtime?: string; readonly Handler?: string };
}

/** Every executeScript step of every Automation document, with its document's name. */
function scriptSteps(): { document: string; step: Step }[] {
  const dir = documentsDir();
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => {
      const content = parse(readFileSync(join(dir, file), 'utf8')) as { schemaVersion: string; mainSteps: Step[] };
      if (content.schemaVersion !== '0.3') return [];
      return content.mainSteps.filter((step) => step.action === 'aws:executeScript').map((step) => ({ document: file, step }));
    });
}

function scriptNamed(marker: string): string {
  const copies = scriptSteps().filter(({ step }) => step.inputs.Script?.includes(`# ena-guard:script ${marker}`));
  const texts = new Set(copies.map(({ step }) => step.inputs.Script));
  expect(copies.length, `no runbook carries the ${marker} script`).toBeGreaterThan(0);
  expect(texts.size, `the ${marker} script differs between ${copies.map((c) => c.document).join(', ')}`).toBe(1);
  return [...texts][0] as string;
}

/** Runs `handler` of `script` on each payload in one python3 process; a raised exception is returned as its message. */
function runPython(script: string, payloads: readonly unknown[]): ({ ok: Record<string, unknown> } | { error: string })[] {
  const driver = `${script}

import json, sys
results = []
for payload in json.load(sys.stdin):
    try:
        results.append({'ok': handler(payload, None)})
    except Exception as error:
        results.append({'error': str(error)})
json.dump(results, sys.stdout)
`;
  const run = spawnSync('python3', ['-c', driver], { input: JSON.stringify(payloads), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ({ ok: Record<string, unknown> } | { error: string })[];
}

const python = toolAvailable('python3');

describe('the runbooks\' scripts', () => {
  it('every executeScript step runs a marked script of the project on python3.11', () => {
    const steps = scriptSteps();
    expect(steps.length).toBeGreaterThan(0);
    for (const { document, step } of steps) {
      expect(step.inputs.Script, `${document} ${step.name}`).toMatch(/^# ena-guard:script [a-z-]+$/m);
      expect(step.inputs.Runtime, `${document} ${step.name}`).toBe('python3.11');
      expect(step.inputs.Handler, `${document} ${step.name}`).toBe('handler');
    }
  });
});

describe.skipIf(!python)('check-exemption agrees with runbookExemptionDecision', () => {
  const TODAY = '2026-12-02';
  const KEY = 'ena-guard:exempt';
  const decide = (values: readonly string[], today = TODAY, key = KEY) => {
    const decision = runbookExemptionDecision('i-0123456789abcdef0', key, values, today);
    return decision.proceed ? { ok: { Note: decision.note } } : { error: decision.message };
  };

  const CASES: readonly (readonly string[])[] = [
    [],
    [''],
    ['   '],
    [';,; '],
    ['legacy driver, replaced in Q1'],
    ['legacy; until=2027-03-31'],
    ['until=2027-03-31 legacy'],
    ['legacy, until=2026-12-02'],
    ['legacy until=2026-12-01'],
    ['until=2026-12-01'],
    ['until=2027-01-01'],
    ['legacy until=2027-02-30'],
    ['legacy until=tomorrow'],
    ['legacy until='],
    ['legacy until=2027-01-01 until=2028-01-01'],
    ['foountil=2025-01-01 legacy'],
    ['legacy UNTIL=2025-01-01'],
    ['legacy until=0000-01-01'],
    ['line one\nURGENT: run curl http://x | sh\r\n\u2028until=2025-01-01'],
    ['\u0000\u001b[31mred\u001b[0m\u200b'],
    ['x'.repeat(1000)],
    ['-'.repeat(300)],
    ['-'.repeat(300) + 'x'],
    ['until=2020-01-01'],
    ['; until=2020-01-01 ;'],
    ['😀'.repeat(300)],
    ['é until=2025-01-01'],
    ['legacy\tuntil=2025-01-01'],
    ['٣ until=2025-01-01'],
    ['reason until=٢٠٢٥-٠١-٠١'],
  ];

  it('on the listed values', () => {
    const script = scriptNamed('check-exemption');
    const payloads = CASES.map((values) => ({ ResourceId: 'i-0123456789abcdef0', TagKey: KEY, TagValues: values, Today: TODAY }));
    const results = runPython(script, payloads);
    CASES.forEach((values, index) => expect(results[index], JSON.stringify(values)).toEqual(decide(values)));
  });

  it('on generated values, days and keys', () => {
    const script = scriptNamed('check-exemption');
    const day = fc.date({ min: new Date('1999-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.constantFrom(' ', ';', ',', '\n', 'until=', 'legacy', '2027-03-31', '2027-02-30', '\u00a0', '\u2028', '\u200b', '\t'),
      day.map((d) => `until=${d}`),
    );
    const value = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    const samples = fc.sample(fc.record({ values: fc.oneof(fc.constant([] as string[]), value.map((v) => [v])), today: day, key: fc.constantFrom(KEY, 'Exempt', 'ena guard/exempt') }), { numRuns: 2000, seed: 20261202 });
    const results = runPython(
      script,
      samples.map(({ values, today, key }) => ({ ResourceId: 'i-0123456789abcdef0', TagKey: key, TagValues: values, Today: today })),
    );
    samples.forEach(({ values, today, key }, index) => expect(results[index], JSON.stringify({ values, today, key })).toEqual(decide(values, today, key)));
  });
});

describe.skipIf(!python)('lock-times', () => {
  it('gives now and the time LifetimeHours before it, to the second in UTC, so that they compare as strings', () => {
    const script = scriptNamed('lock-times');
    const before = Math.floor(Date.now() / 1000) * 1000;
    const [result] = runPython(script, [{ LifetimeHours: 24 }]);
    const after = Date.now();
    if (result === undefined || !('ok' in result)) throw new Error(`lock-times failed: ${JSON.stringify(result)}`);
    const { Now: now, StaleBefore: staleBefore } = result.ok as { Now: string; StaleBefore: string };
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(now)).toBeLessThanOrEqual(after);
    expect(Date.parse(now) - Date.parse(staleBefore)).toBe(24 * 3600 * 1000);
    expect(staleBefore < now).toBe(true);
  });
});

describe('the runbooks\' ExemptionTagKey', () => {
  it('accepts exactly the tag keys the rules accept (one pattern, rules/parameters.ts)', () => {
    for (const name of ['EnaGuard-EnableEnaSupport', 'EnaGuard-UpdateEnaDriver', 'EnaGuard-ReplaceImageWithEna']) {
      const document = parse(readFileSync(join(documentsDir(), `${name}.yaml`), 'utf8')) as { parameters: Record<string, { allowedPattern?: string; default?: string }> };
      expect(document.parameters.ExemptionTagKey, name).toEqual(expect.objectContaining({ allowedPattern: TAG_KEY_PATTERN, default: 'ena-guard:exempt' }));
    }
  });
});

/**
 * The exemption tag's one definition (rules/exemption.ts): how a value reads as of a day, and the
 * verdict every rule takes from it. The runbooks' Python copy is compared with it in
 * test/runbooks/runbook-scripts.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INVISIBLE_CHARACTERS,
  MAX_QUOTED_REASON_LENGTH,
  exemptionVerdict,
  readExemption,
  runbookExemptionDecision,
  utcDay,
  type Exemption,
} from '../../rules/exemption.js';

const TODAY = '2026-11-20';
const KEY = 'ena-guard:exempt';

const exempt = (reason: string, until?: string): Exemption => (until === undefined ? { kind: 'exempt', reason } : { kind: 'exempt', reason, until });

const rows: readonly (readonly [situation: string, value: string, expected: Exemption])[] = [
  ['a reason only', 'vendor appliance', exempt('vendor appliance')],
  ['a reason and an expiry in the future', 'vendor appliance; until=2027-03-31', exempt('vendor appliance', '2027-03-31')],
  ['a reason and an expiry today (the exemption holds through its day)', 'vendor appliance; until=2026-11-20', exempt('vendor appliance', '2026-11-20')],
  ['a reason and an expiry yesterday', 'vendor appliance; until=2026-11-19', { kind: 'expired', reason: 'vendor appliance', until: '2026-11-19' }],
  ['the expiry at the start', 'until=2027-03-31 vendor appliance', exempt('vendor appliance', '2027-03-31')],
  ['the expiry in the middle', 'vendor until=2027-03-31 appliance', exempt('vendor appliance', '2027-03-31')],
  ['the expiry at the end, after a space', 'vendor appliance until=2027-03-31', exempt('vendor appliance', '2027-03-31')],
  ['the expiry after a ; with no space', 'vendor appliance;until=2027-03-31', exempt('vendor appliance', '2027-03-31')],
  ['the expiry after a , with no space', 'vendor appliance,until=2027-03-31', exempt('vendor appliance', '2027-03-31')],
  ['the expiry followed by a separator', 'until=2027-03-31; vendor appliance', exempt('vendor appliance', '2027-03-31')],
  ['two expiry tokens', 'vendor appliance until=2027-01-01 until=2028-01-01', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '2027-01-01 2028-01-01' }],
  ['an expiry that is not a calendar day', 'vendor appliance until=2027-02-30', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '2027-02-30' }],
  ['an expiry that is a word', 'vendor appliance until=tomorrow', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: 'tomorrow' }],
  ['an expiry with nothing after until=', 'vendor appliance until=', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '' }],
  ['an expiry with a trailing full stop', 'vendor appliance until=2027-03-31.', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '2027-03-31.' }],
  ['an expiry on a leap day', 'vendor appliance until=2028-02-29', exempt('vendor appliance', '2028-02-29')],
  ['an expiry on 29 February of a year that is not a leap year', 'vendor appliance until=2027-02-29', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '2027-02-29' }],
  ['an expiry on 29 February of a century that is not a leap year', 'vendor appliance until=2100-02-29', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '2100-02-29' }],
  ['an expiry on 29 February 2000 (a leap year: divisible by 400)', 'vendor appliance until=2000-02-29', { kind: 'expired', reason: 'vendor appliance', until: '2000-02-29' }],
  ['an expiry in month 13', 'vendor appliance until=2027-13-01', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '2027-13-01' }],
  ['an expiry on day 00', 'vendor appliance until=2027-01-00', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '2027-01-00' }],
  ['an expiry without leading zeros', 'vendor appliance until=2027-3-31', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '2027-3-31' }],
  ['an expiry in year 0000', 'vendor appliance until=0000-01-01', { kind: 'unreadable-expiry', reason: 'vendor appliance', expiry: '0000-01-01' }],
  ['until= inside a word, which is not a token (and never expires)', 'foountil=2020-01-01', exempt('foountil=2020-01-01')],
  ['UNTIL= in upper case, which is not a token', 'vendor appliance UNTIL=2020-01-01', exempt('vendor appliance UNTIL=2020-01-01')],
  ['an empty value', '', { kind: 'no-reason' }],
  ['only spaces', '    ', { kind: 'no-reason' }],
  ['only separators and punctuation', ' ;,.-!?()[]{}"\' ', { kind: 'no-reason' }],
  ['only an expiry token', 'until=2027-03-31', { kind: 'no-reason', until: '2027-03-31' }],
  ['only an expiry token, past: the expiry ends it whatever else the value says', 'until=2020-01-01', { kind: 'expired', reason: '', until: '2020-01-01' }],
  ['punctuation and an expiry token', '-- ; until=2027-03-31 ;', { kind: 'no-reason', until: '2027-03-31' }],
  ['only an unreadable expiry token', 'until=soon', { kind: 'no-reason' }],
  ['control characters in the reason, flattened to spaces', 'vendor\u0000appliance\u001b[31m\tCHG-1\u007f', exempt('vendor appliance [31m CHG-1')],
  ['newlines in the reason, flattened', 'line one\r\nline two\u2028line three', exempt('line one line two line three')],
  ['a newline before the expiry, which separates the token', 'vendor appliance\nuntil=2026-11-19', { kind: 'expired', reason: 'vendor appliance', until: '2026-11-19' }],
  ['bidirectional controls and zero widths, flattened', 'vendor\u202eecnailppa\u200b\ufeff', exempt('vendor ecnailppa')],
  ['only invisible characters', '\u200b\u200d\u2060\ufeff\u0000', { kind: 'no-reason' }],
  ['a reason in another script', 'レガシー機器', exempt('レガシー機器')],
  ['a reason of digits only', '4711', exempt('4711')],
  ['an emoji among words', '🚧 vendor appliance 🚧; until=2027-03-31', exempt('🚧 vendor appliance 🚧', '2027-03-31')],
  ['an emoji alone, which is a reason', '🚧', exempt('🚧')],
];

describe('readExemption', () => {
  it.each(rows)('reads %s', (_situation, value, expected) => {
    expect(readExemption(value, TODAY)).toEqual(expected);
  });

  it('reads no tag as absent', () => {
    expect(readExemption(undefined, TODAY)).toEqual({ kind: 'absent' });
  });

  it('bounds a 1,000-character reason to 200 code points, the cut marked with an ellipsis', () => {
    const result = readExemption(`${'a'.repeat(1000)}; until=2027-03-31`, TODAY);

    expect(result).toEqual(exempt(`${'a'.repeat(MAX_QUOTED_REASON_LENGTH - 1)}…`, '2027-03-31'));
  });

  it('counts the bound in code points, not UTF-16 units, so an emoji is never cut in half', () => {
    const result = readExemption('😀'.repeat(300), TODAY);

    expect(result.kind).toBe('exempt');
    if (result.kind === 'exempt') {
      expect([...result.reason]).toHaveLength(MAX_QUOTED_REASON_LENGTH);
      expect(result.reason).toBe(`${'😀'.repeat(MAX_QUOTED_REASON_LENGTH - 1)}…`);
    }
  });

  it('does not take the ellipsis of a cut for a reason', () => {
    expect(readExemption('-'.repeat(1000), TODAY)).toEqual({ kind: 'no-reason' });
    expect(readExemption(`${'-'.repeat(300)} legacy`, TODAY).kind).toBe('exempt');
  });

  it('keeps an exemption for any reason with a letter exactly while today <= its expiry day', () => {
    const day = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map(utcDay);
    const reason = fc
      .tuple(fc.string({ unit: 'binary' }), fc.constantFrom('a', 'Z', 'é', 'ж', '中', 'ß'), fc.string({ unit: 'binary' }))
      .map((parts) => parts.join(''))
      .filter((text) => !text.includes('until='));
    fc.assert(
      fc.property(reason, day, day, (text, until, today) => {
        // Act
        const result = readExemption(`${text}; until=${until}`, today);

        // Assess
        expect(result.kind).toBe(today <= until ? 'exempt' : 'expired');
        if (result.kind === 'exempt' || result.kind === 'expired') expect(result.until).toBe(until);
      }),
    );
  });

  it('reads an expiry as a calendar day exactly when the calendar has that day', () => {
    const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
    const written = fc.oneof(
      fc.tuple(digits(4), digits(2), digits(2)).map(([year, month, day]) => `${year}-${month}-${day}`),
      fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(
        ([year, month, day]) => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      ),
    );
    fc.assert(
      fc.property(written, (day) => {
        // The calendar's answer, from Date: the day round-trips through it unchanged (year 0000 has no day).
        const time = new Date(`${day}T00:00:00Z`);
        const real = day >= '0001' && !Number.isNaN(time.getTime()) && time.toISOString().slice(0, 10) === day;

        expect(readExemption(`vendor appliance until=${day}`, TODAY).kind === 'unreadable-expiry').toBe(!real);
      }),
    );
  });

  it('never quotes a reason longer than the bound, or one with invisible characters or line breaks', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (value) => {
        const result = readExemption(value, TODAY);
        if (result.kind === 'absent' || result.kind === 'no-reason') return;
        expect([...result.reason].length).toBeLessThanOrEqual(MAX_QUOTED_REASON_LENGTH);
        expect(result.reason).not.toMatch(new RegExp(INVISIBLE_CHARACTERS.source));
        expect(result.reason).not.toMatch(/[\r\n\u2028\u2029]/);
      }),
    );
  });
});

describe('utcDay', () => {
  it('gives the day in UTC, whatever the time zone the time was written in', () => {
    expect(utcDay(new Date('2026-11-20T23:30:00-05:00'))).toBe('2026-11-21');
    expect(utcDay(new Date('2026-11-21T00:30:00+01:00'))).toBe('2026-11-20');
  });
});

describe('exemptionVerdict', () => {
  it('is NOT_APPLICABLE while a valid exemption holds, quoting its reason and expiry', () => {
    expect(exemptionVerdict({ [KEY]: 'vendor appliance; until=2026-11-20' }, KEY, TODAY)).toEqual({
      outcome: 'judged',
      compliance: 'NOT_APPLICABLE',
      annotation: 'Exempt by tag ena-guard:exempt until 2026-11-20: "vendor appliance".',
      reasons: ['EXEMPT'],
    });
    expect(exemptionVerdict({ [KEY]: 'vendor appliance' }, KEY, TODAY)).toMatchObject({ annotation: 'Exempt by tag ena-guard:exempt: "vendor appliance".' });
  });

  it.each([
    ['no tag', {}],
    ['another tag only', { Owner: 'vendor appliance' }],
    ['an expired exemption', { [KEY]: 'vendor appliance; until=2026-11-19' }],
    ['a tag without a reason', { [KEY]: '' }],
    ['a tag with only an expiry', { [KEY]: 'until=2027-03-31' }],
    ['an unreadable expiry', { [KEY]: 'vendor appliance until=2027-02-30' }],
  ])('leaves the resource to be judged as any other with %s', (_situation, tags: Record<string, string>) => {
    expect(exemptionVerdict(tags, KEY, TODAY)).toBeUndefined();
  });

  it('reads only the tags themselves, not what an object inherits', () => {
    expect(exemptionVerdict({}, 'toString', TODAY)).toBeUndefined();
    expect(exemptionVerdict({}, '__proto__', TODAY)).toBeUndefined();
  });

  it('decides with the day it is given: the same tag exempts on its last day and not the day after', () => {
    const tags = { [KEY]: 'vendor appliance; until=2026-11-20' };

    expect(exemptionVerdict(tags, KEY, '2026-11-20')).toBeDefined();
    expect(exemptionVerdict(tags, KEY, '2026-11-21')).toBeUndefined();
  });
});

describe('runbookExemptionDecision', () => {
  it.each([
    ['no tag', [], true],
    ['an expired exemption', ['vendor appliance; until=2026-11-19'], true],
    ['a valid exemption', ['vendor appliance'], false],
    ['an exemption until today', ['vendor appliance until=2026-11-20'], false],
    ['a tag without a reason (present, so someone meant to protect the resource)', [''], false],
    ['an unreadable expiry (it cannot be known to have passed)', ['vendor appliance until=2027-02-30'], false],
  ] as const)('with %s, proceeds: %s', (_situation, values, proceed) => {
    expect(runbookExemptionDecision('i-0123456789abcdef0', KEY, values, TODAY).proceed).toBe(proceed);
  });
});

import { describe, expect, it } from 'vitest';
import { TEXT_LIMITS, hasUnsafeCharacters, safeSubject, safeText } from '../../src/alerts/untrusted-text.js';

/** Every character safeText must never let through. */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('safeText, the one way an untrusted value enters an owner alert', () => {
  it.each([
    ['line feeds, carriage returns and tabs', 'ok\r\nURGENT:\trun this', 'ok URGENT: run this'],
    ['C1 controls such as NEL', 'one\u0085two\u009fthree', 'one two three'],
    ['DEL and the other C0 controls', 'a\u0000b\u0007c\u007fd', 'a b c d'],
    ['Unicode line and paragraph separators', 'first\u2028second\u2029third', 'first second third'],
    ['bidi embeddings, overrides and isolates', 'owner\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069i', 'owner a b c d e f g h i'],
    ['bidi marks, zero-width characters and the BOM', 'a\u200eb\u200fc\u061cd\u200be\ufefff', 'a b c d e f'],
    ['ANSI colour sequences, removed with their parameters', '\u001b[31mred\u001b[0m and \u009b1;32mgreen', 'red and green'],
    ['runs of Unicode whitespace, collapsed and trimmed', '  a \u00a0\u3000  b  ', 'a b'],
  ])('turns %s into one plain line', (_what, value, expected) => {
    // Prepare: the value as a tag or an event would carry it

    // Act
    const text = safeText(value, TEXT_LIMITS.annotation);

    // Assess
    expect(text).toBe(expected);
  });

  it('cuts a long value to its limit with truncate\'s mark, and keeps a short one whole', () => {
    // Prepare
    const long = 'x'.repeat(10_000);

    // Act
    const cut = safeText(long, TEXT_LIMITS.name);
    const whole = safeText('x'.repeat(TEXT_LIMITS.name), TEXT_LIMITS.name);

    // Assess
    expect(cut).toBe(`${'x'.repeat(TEXT_LIMITS.name - 1)}…`);
    expect(whole).toBe('x'.repeat(TEXT_LIMITS.name));
  });

  it('drops half of a surrogate pair that the cut split, leaving well-formed text', () => {
    // Prepare: the cut falls between the two halves of 😀
    const value = `${'a'.repeat(8)}😀😀`;

    // Act
    const text = safeText(value, 10);

    // Assess
    expect(text).toBe(`${'a'.repeat(8)}…`);
    expect(text).not.toMatch(/\p{Cs}/u);
  });

  it('answers an empty string for a missing or blank value', () => {
    // Prepare, Act
    const texts = [safeText(undefined, 10), safeText(' \n\t\u202e ', 10)];

    // Assess
    expect(texts).toEqual(['', '']);
  });

  it('leaves no forbidden character in any mix of hostile input', () => {
    // Prepare
    const hostile = Array.from({ length: 0x3000 }, (_, code) => String.fromCharCode(code)).join('') + '\ud800\udfff\udc00\u202e\u2066';

    // Act
    const text = safeText(hostile, 20_000);

    // Assess
    expect(text).not.toMatch(FORBIDDEN);
    expect(text).not.toMatch(/\s{2}/);
    expect(hasUnsafeCharacters(hostile)).toBe(true);
    expect(hasUnsafeCharacters(text)).toBe(false);
  });
});

describe('safeSubject', () => {
  it('keeps a subject SNS accepts: one line of printable ASCII, shorter than 100 characters, its cut marked', () => {
    // Prepare
    const value = `ena-guard: 1 of 1 resources need attention (équipe\n${'x'.repeat(200)})`;

    // Act
    const subject = safeSubject(value);

    // Assess
    expect(subject).toMatch(/^ena-guard: 1 of 1 resources need attention \(\?quipe x+\.\.\.$/);
    expect(subject).toHaveLength(99);
  });

  it('leaves a short ASCII subject as it is', () => {
    // Prepare, Act
    const subject = safeSubject('ena-guard: 2 resources changed (payments@example.com)');

    // Assess
    expect(subject).toBe('ena-guard: 2 resources changed (payments@example.com)');
  });
});

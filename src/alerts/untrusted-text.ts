/**
 * The one way a value ena-guard did not write (a tag value, an exemption reason, an annotation
 * built from inventory fields, anything an event or a runbook execution carries) gets into an
 * owner's message, subject or message attributes: as one bounded line that cannot change the
 * message's layout.
 *
 * - Removed outright: ANSI/VT100 control sequences (`ESC [ … m` and their C1 form `CSI … m`),
 *   so `\u001b[31m` leaves no `[31m` behind.
 * - Replaced by a space: every control character (Unicode Cc: C0 including TAB, LF, CR, DEL and
 *   C1 including NEL), every format character (Cf: the bidi embeddings and overrides
 *   U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E/U+200F/U+061C, zero-width
 *   characters, the BOM, the soft hyphen), the line and paragraph separators U+2028/U+2029 (Zl, Zp)
 *   and lone surrogates.
 * - Then every run of whitespace (Unicode's, as `\s`) becomes one space and the ends are trimmed.
 * - Then the text is cut to its field's limit by rules/text.ts's `truncate` (the cut marked with
 *   `…`); a surrogate pair split by the cut is dropped.
 *
 * The truncation helper is injected: src/alerts sits beside the rules, not above them
 * (test/architecture.test.ts), so the Lambda entry point, which may import rules/, hands it over.
 */
import { truncate } from '../../rules/text.js';


/** How many characters each kind of untrusted value may take in an owner's message. */
export const TEXT_LIMITS = {
  /** A Config annotation (Config's own limit), exemption reasons and inventory fields included. */
  annotation: 256,
  /** A name or id: rule, runbook, resource type and id, execution id, tag key, status, region, account. */
  name: 128,
  /** An owner tag value that was refused, quoted in the unowned message. */
  rejectedOwner: 128,
  /** A validated owner: an address (at most 254) or an allowed topic ARN (at most 330). */
  owner: 330,
  /** SNS: a Subject is "less than 100 characters", printable ASCII here, one line. */
  subject: 99,
  /** Each String message attribute value (SNS counts them into the 256 KB message size). */
  attribute: 512,
} as const;

// eslint-disable-next-line no-control-regex -- finding control sequences is this regex's purpose
const ANSI_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]/g;
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const LONE_SURROGATE = /\p{Cs}/gu;

/** Whether a value holds a character {@link safeText} would remove (controls, format characters, separators). */
export function hasUnsafeCharacters(value: string): boolean {
  return new RegExp(UNSAFE.source, 'u').test(value);
}

/** `value` as one line of at most `limit` characters, with no control or format characters; '' for nothing. */
export function safeText(value: string | undefined, limit: number): string {
  if (value === undefined) return '';
  const oneLine = value.replace(ANSI_SEQUENCE, '').replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return truncate(oneLine, limit).replace(LONE_SURROGATE, '');
}

/**
 * A Subject SNS accepts: {@link safeText} at {@link TEXT_LIMITS.subject}, in printable ASCII (the
 * cut mark spelled `...`, any other character outside ASCII as `?`).
 */
export function safeSubject(value: string): string {
  const text = safeText(value, TEXT_LIMITS.subject - 2);
  return text.replace(/…$/, '...').replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The exemption tag, shared by every rule and every runbook: one definition of its format.
 *
 * Format of the value: a reason, and optionally an expiry token `until=YYYY-MM-DD` anywhere in it,
 * e.g. `legacy driver, replaced in Q1; until=2027-03-31`. The exemption holds through the whole
 * expiry day (UTC) and lapses the day after. An exemption must give a reason: a value with no
 * character other than spaces and ASCII punctuation once the expiry token is removed exempts
 * nothing.
 *
 * The rules judge a resource as NOT_APPLICABLE only while a valid exemption holds; a tag without a
 * reason, with an unreadable expiry, or past its expiry leaves the resource judged as any other.
 * The runbooks are more careful, because they change things: they refuse while the tag is present
 * and has not expired, whether or not its value is well formed (someone meant to protect the
 * resource), and go ahead only once the expiry has passed. The runbooks' own copy of this logic
 * (a Python script in each runbook's `checkExemption` step) is tested against
 * {@link runbookExemptionDecision} case by case.
 */
import { notApplicable, type Judged } from './verdict.js';

/**
 * The expiry token: `until=` (lower case) at the start or after a space, `;` or `,`, followed by
 * whatever runs to the next one. Group 2 is the date as written.
 */
export const EXEMPTION_EXPIRY_TOKEN = /(^|[\s;,])until=([^\s;,]*)/g;

/** What an exemption tag's value says, as of a given day. */
export type Exemption =
  | { readonly kind: 'absent' }
  | { readonly kind: 'exempt'; readonly reason: string; readonly until?: string }
  | { readonly kind: 'expired'; readonly reason: string; readonly until: string }
  | { readonly kind: 'no-reason'; readonly until?: string }
  | { readonly kind: 'unreadable-expiry'; readonly reason: string; readonly expiry: string };

/** Longest reason quoted back in an annotation or a refusal. */
export const MAX_QUOTED_REASON_LENGTH = 200;

/** A real calendar day written YYYY-MM-DD (2027-02-30 is not one). */
function isCalendarDay(text: string): boolean {
  // Counted by hand: rules/ has no Date (it is pure), and the Gregorian rule is short.
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year >= 1 && daysInMonth !== undefined && day >= 1 && day <= daysInMonth;
}

/**
 * Control characters and the invisible format characters that can hide or reorder text (zero
 * widths, bidirectional controls, the byte-order mark), listed rather than taken from Unicode
 * categories so that every Unicode version, the runbooks' Python included, reads them alike.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
export const INVISIBLE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/** Untrusted text with its invisible characters turned to spaces and runs of spaces collapsed. */
function flattened(text: string): string {
  return text.replace(INVISIBLE_CHARACTERS, ' ').replace(/\s+/g, ' ');
}

/** Cut to the bound in code points (as the runbooks' Python counts), the cut marked with an ellipsis. */
function bounded(text: string): string {
  const points = [...text];
  return points.length <= MAX_QUOTED_REASON_LENGTH ? text : `${points.slice(0, MAX_QUOTED_REASON_LENGTH - 1).join('')}…`;
}

/** Untrusted text made safe to quote: control characters gone, whitespace collapsed, length bounded. */
export function quotableReason(text: string): string {
  return bounded(flattened(text).trim());
}

/**
 * Reads an exemption tag value (undefined: no tag) as of `today` (YYYY-MM-DD, UTC). The reason is
 * the value without its expiry token, trimmed of spaces and separators.
 */
export function readExemption(value: string | undefined, today: string): Exemption {
  if (value === undefined) return { kind: 'absent' };
  const text = flattened(value);
  const expiries = [...text.matchAll(EXEMPTION_EXPIRY_TOKEN)].map((match) => match[2] ?? '');
  const unbounded = text.replace(EXEMPTION_EXPIRY_TOKEN, ' ').replace(/\s+/g, ' ').replace(/^[\s;,]+|[\s;,]+$/g, '');
  // Anything but spaces and ASCII punctuation is a reason (non-Latin scripts and emoji included).
  // Decided on the whole value, before the bound: the ellipsis of a cut is not a reason.
  const hasReason = /[^\s!-/:-@[-`{-~]/.test(unbounded);
  const reason = bounded(unbounded);
  if (expiries.length > 1 || (expiries.length === 1 && !isCalendarDay(expiries[0] ?? ''))) {
    const expiry = quotableReason(expiries.join(' '));
    return hasReason ? { kind: 'unreadable-expiry', reason, expiry } : { kind: 'no-reason' };
  }
  const until = expiries[0];
  // A passed expiry ends the exemption whatever else the value says (IAM's deny lifts too).
  if (until !== undefined && today > until) return { kind: 'expired', reason, until };
  if (!hasReason) return until === undefined ? { kind: 'no-reason' } : { kind: 'no-reason', until };
  return until === undefined ? { kind: 'exempt', reason } : { kind: 'exempt', reason, until };
}

/** Today (UTC) as YYYY-MM-DD, the form {@link readExemption} compares expiries with. */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/**
 * NOT_APPLICABLE while a valid exemption holds on `today`, quoting its reason (and expiry);
 * undefined otherwise, so that the resource is judged as any other.
 */
export function exemptionVerdict(
  tags: Readonly<Record<string, string>>,
  exemptionTagKey: string,
  today: string,
): Judged<'EXEMPT'> | undefined {
  const exemption = readExemption(Object.hasOwn(tags, exemptionTagKey) ? tags[exemptionTagKey] : undefined, today);
  if (exemption.kind !== 'exempt') return undefined;
  const until = exemption.until === undefined ? '' : ` until ${exemption.until}`;
  return notApplicable(`Exempt by tag ${exemptionTagKey}${until}: "${exemption.reason}".`, 'EXEMPT');
}

/** What a runbook does about a resource's exemption tag: go on (saying why), or refuse. */
export type RunbookExemptionDecision = { readonly proceed: true; readonly note: string } | { readonly proceed: false; readonly message: string };

/**
 * The runbooks' rule: refuse while the exemption tag is present and not expired, whatever its
 * value; go on when there is no tag or its expiry has passed. `values` are the tag's values as
 * DescribeTags lists them for the resource (none, or one).
 */
export function runbookExemptionDecision(resourceId: string, tagKey: string, values: readonly string[], today: string): RunbookExemptionDecision {
  const key = quotableReason(tagKey);
  const exemption = readExemption(values[0], today);
  switch (exemption.kind) {
    case 'absent':
      return { proceed: true, note: `${resourceId} has no exemption tag ${key}.` };
    case 'expired':
      return { proceed: true, note: `The exemption of ${resourceId} by tag ${key} expired after ${exemption.until}.` };
    case 'exempt': {
      const until = exemption.until === undefined ? '' : ` until ${exemption.until}`;
      const lift = exemption.until === undefined ? 'Remove the tag' : 'Remove the tag, or wait until the exemption expires,';
      return { proceed: false, message: `Refused - ${resourceId} is exempt by tag ${key}${until}: "${exemption.reason}". ${lift} to remediate it.` };
    }
    case 'no-reason':
      return { proceed: false, message: `Refused - ${resourceId} carries the exemption tag ${key} without a reason. Give a reason in the tag value, or remove the tag, first.` };
    case 'unreadable-expiry':
      return {
        proceed: false,
        message: `Refused - ${resourceId} carries the exemption tag ${key} with an unreadable expiry "until=${exemption.expiry}" (write until=YYYY-MM-DD once): "${exemption.reason}". Fix or remove the tag first.`,
      };
  }
}

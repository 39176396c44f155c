/**
 * Turns a batch of alert events, each already tied to its resource's owner, into one message per
 * owner. Pure: no SDK, no clock. Limits are SNS's: a subject of less than 100 printable ASCII
 * characters, a message of at most 256 KB (kept well below, with a "+N more" line).
 *
 * Every value that came from a resource or an event passes through safeText (untrusted-text.ts)
 * with its field's limit, so none can break a line: the layout is fixed by this file alone. A
 * message is a header line, a blank line, one line per resource and rule (or runbook) with up to
 * two detail lines indented by four spaces (the annotation; the owner tag value that was refused),
 * a blank line and a footer line.
 */
import type { ComplianceAlert, RemediationAlert } from './events.js';
import type { OwnerRefusal, RefusedOwner } from './owners.js';
import { TEXT_LIMITS, safeSubject, safeText } from './untrusted-text.js';

export interface OwnedAlert {
  /** A validated owner (owners.ts), or `unowned`. */
  readonly owner: string;
  /** The owner tag value that was refused, when that is why the resource is unowned. */
  readonly refusedOwner?: RefusedOwner | undefined;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly alert: ComplianceAlert | RemediationAlert;
  /** Where the alert came from (its EventBridge event id), so a delivery can be marked or retried. */
  readonly sourceId: string;
}

export interface Digest {
  readonly owner: string;
  readonly subject: string;
  readonly message: string;
  /** SNS message attributes (String values) that subscription filter policies match on. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly sourceIds: readonly string[];
}

export interface DigestOptions {
  /** The tag key that exempts a resource, named in the footer. */
  readonly exemptionTagKey: string;
}

/** Well under SNS's 256 KB, leaving room for attributes and encoding. */
const MAX_MESSAGE_BYTES = 200 * 1024;
const DETAIL = '    ';

const REFUSALS: Readonly<Record<OwnerRefusal, string>> = {
  'unsafe-characters': 'it holds control or format characters',
  'topic-not-allowed': 'a topic ARN that is not in the allow-list',
  'bare-name-without-domain': 'a bare name, and no email domain is configured',
  malformed: 'not an email address, a bare name or an allowed topic ARN',
};

/** One digest per owner, non-compliant lines first. */
export function buildDigests(items: readonly OwnedAlert[], options: DigestOptions): Digest[] {
  const text = (value: string | undefined, limit: number) => safeText(value, limit);
  const byOwner = new Map<string, OwnedAlert[]>();
  for (const item of items) byOwner.set(item.owner, [...(byOwner.get(item.owner) ?? []), item]);

  function line(item: OwnedAlert): string {
    const { alert } = item;
    const name = (value: string) => text(value, TEXT_LIMITS.name) || '?';
    const where = `${name(item.resourceType)} ${name(item.resourceId)} (${name(alert.region)}, ${name(alert.accountId)})`;
    const details: string[] = [];
    let head: string;
    if (alert.kind === 'compliance') {
      const change = alert.oldCompliance ? `${name(alert.oldCompliance)} -> ${name(alert.newCompliance)}` : name(alert.newCompliance);
      head = `${change}  ${name(alert.ruleName)}  ${where}`;
      const annotation = text(alert.annotation, TEXT_LIMITS.annotation);
      if (annotation) details.push(annotation);
    } else {
      head = `Remediation ${name(alert.runbook)}: ${name(alert.status)}  ${where}  (execution ${name(alert.executionId)})`;
    }
    if (item.refusedOwner) {
      const { tagKey, value, reason } = item.refusedOwner;
      details.push(`Owner tag ${JSON.stringify(name(tagKey))} refused (${REFUSALS[reason]}): ${JSON.stringify(text(value, TEXT_LIMITS.rejectedOwner))}`);
    }
    return [head, ...details.map((detail) => `${DETAIL}${detail}`)].join('\n');
  }

  return [...byOwner.entries()].map(([rawOwner, ownerItems]) => {
    const owner = text(rawOwner, TEXT_LIMITS.owner);
    const shown = latestOnly(ownerItems).sort((a, b) => rank(a) - rank(b) || a.resourceId.localeCompare(b.resourceId));
    const nonCompliant = shown.filter((item) => item.alert.kind === 'compliance' && item.alert.newCompliance === 'NON_COMPLIANT');
    const resources = new Set(shown.map((item) => `${item.resourceType}/${item.resourceId}`)).size;
    const header = `ena-guard found changes on ${resources} resource${resources === 1 ? '' : 's'} owned by ${owner}.`;
    const footer = `Exempt a resource on purpose with the tag ${text(options.exemptionTagKey, TEXT_LIMITS.name)}=<reason>.`;
    const lines: string[] = [];
    let bytes = Buffer.byteLength(header) + Buffer.byteLength(footer) + 64;
    for (const [index, item] of shown.entries()) {
      const entry = line(item);
      if (bytes + Buffer.byteLength(entry) + 1 > MAX_MESSAGE_BYTES) {
        lines.push(`(+${shown.length - index} more)`);
        break;
      }
      lines.push(entry);
      bytes += Buffer.byteLength(entry) + 1;
    }
    const kinds = [...new Set(shown.map((item) => item.alert.kind))].sort();
    const ruleNames = [...new Set(shown.flatMap((item) => (item.alert.kind === 'compliance' ? [text(item.alert.ruleName, TEXT_LIMITS.name)] : [])))].filter(Boolean).sort();
    const failing = new Set(nonCompliant.map((item) => item.resourceId)).size;
    const what = failing > 0 ? `${failing} of ${resources} resources need attention` : `${resources} resources changed`;
    return {
      owner,
      subject: safeSubject(`ena-guard: ${what} (${owner})`),
      message: [header, '', ...lines, '', footer].join('\n'),
      attributes: {
        owner,
        severity: nonCompliant.length > 0 ? 'NON_COMPLIANT' : 'INFO',
        kinds: kinds.join(','),
        rules: text(ruleNames.join(','), TEXT_LIMITS.attribute) || 'none',
      },
      sourceIds: [...new Set(ownerItems.map((item) => item.sourceId))],
    };
  });
}

/** Keeps, for each resource and rule (or runbook), only the latest alert of the batch. */
function latestOnly(items: readonly OwnedAlert[]): OwnedAlert[] {
  const latest = new Map<string, OwnedAlert>();
  for (const item of items) {
    const topic = item.alert.kind === 'compliance' ? item.alert.ruleName : item.alert.runbook;
    const key = `${item.resourceType}/${item.resourceId}/${topic}`;
    const current = latest.get(key);
    if (!current || current.alert.time <= item.alert.time) latest.set(key, item);
  }
  return [...latest.values()];
}

function rank(item: OwnedAlert): number {
  const { alert } = item;
  if (alert.kind === 'remediation') return alert.status === 'Success' ? 3 : 1;
  return alert.newCompliance === 'NON_COMPLIANT' ? 0 : 2;
}

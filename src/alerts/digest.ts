/**
 * Turns a batch of alert events, each already tied to its resource's owner, into one message per
 * owner. Pure: no SDK, no clock. Limits are SNS's: a subject of at most 100 printable ASCII
 * characters, a message of at most 256 KB (kept well below, with a "+N more" line).
 */
import type { ComplianceAlert, RemediationAlert } from './events.js';

/** The owner used when no owner tag names one; a security team can subscribe to it. */
export const UNOWNED = 'unowned';

/** The default tag keys looked up for an owner, first non-empty wins. */
export const DEFAULT_OWNER_TAG_KEYS = ['ena-guard:owner', 'Owner', 'owner', 'Contact'] as const;

/** Returns the first non-empty value among the owner tag keys, or {@link UNOWNED}. */
export function ownerOf(tags: Readonly<Record<string, string>>, ownerTagKeys: readonly string[]): string {
  for (const key of ownerTagKeys) {
    const value = tags[key]?.trim();
    if (value) return value;
  }
  return UNOWNED;
}

export interface OwnedAlert {
  readonly owner: string;
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

const MAX_SUBJECT = 100;
/** Well under SNS's 256 KB, leaving room for attributes and encoding. */
const MAX_MESSAGE_BYTES = 200 * 1024;

function subjectFor(owner: string, resources: number, nonCompliant: number): string {
  const what = nonCompliant > 0 ? `${nonCompliant} of ${resources} resources need attention` : `${resources} resources changed`;
  const text = `ena-guard: ${what} (${owner})`.replace(/[^\x20-\x7e]/g, '?');
  return text.length <= MAX_SUBJECT ? text : `${text.slice(0, MAX_SUBJECT - 3)}...`;
}

function line(item: OwnedAlert): string {
  const { alert } = item;
  const where = `${item.resourceType} ${item.resourceId} (${alert.region}, ${alert.accountId})`;
  if (alert.kind === 'compliance') {
    const change = alert.oldCompliance ? `${alert.oldCompliance} -> ${alert.newCompliance}` : alert.newCompliance;
    return `${change}  ${alert.ruleName}  ${where}${alert.annotation ? `\n    ${alert.annotation}` : ''}`;
  }
  return `Remediation ${alert.runbook}: ${alert.status}  ${where}  (execution ${alert.executionId})`;
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

/** One digest per owner, non-compliant lines first. */
export function buildDigests(items: readonly OwnedAlert[], exemptionTagKey = 'ena-guard:exempt'): Digest[] {
  const byOwner = new Map<string, OwnedAlert[]>();
  for (const item of items) byOwner.set(item.owner, [...(byOwner.get(item.owner) ?? []), item]);

  return [...byOwner.entries()].map(([owner, ownerItems]) => {
    const shown = latestOnly(ownerItems).sort((a, b) => rank(a) - rank(b) || a.resourceId.localeCompare(b.resourceId));
    const nonCompliant = shown.filter((item) => item.alert.kind === 'compliance' && item.alert.newCompliance === 'NON_COMPLIANT');
    const resources = new Set(shown.map((item) => `${item.resourceType}/${item.resourceId}`)).size;
    const header = `ena-guard found changes on ${resources} resource${resources === 1 ? '' : 's'} owned by ${owner}.`;
    const footer = `Exempt a resource on purpose with the tag ${exemptionTagKey}=<reason>.`;
    const lines: string[] = [];
    let bytes = Buffer.byteLength(header) + Buffer.byteLength(footer) + 64;
    for (const [index, item] of shown.entries()) {
      const text = line(item);
      if (bytes + Buffer.byteLength(text) + 1 > MAX_MESSAGE_BYTES) {
        lines.push(`(+${shown.length - index} more)`);
        break;
      }
      lines.push(text);
      bytes += Buffer.byteLength(text) + 1;
    }
    const kinds = [...new Set(shown.map((item) => item.alert.kind))].sort();
    return {
      owner,
      subject: subjectFor(owner, resources, new Set(nonCompliant.map((item) => item.resourceId)).size),
      message: [header, '', ...lines, '', footer].join('\n'),
      attributes: {
        owner,
        severity: nonCompliant.length > 0 ? 'NON_COMPLIANT' : 'INFO',
        kinds: kinds.join(','),
        rules: [...new Set(shown.flatMap((item) => (item.alert.kind === 'compliance' ? [item.alert.ruleName] : [])))].sort().join(',') || 'none',
      },
      sourceIds: [...new Set(ownerItems.map((item) => item.sourceId))],
    };
  });
}

function rank(item: OwnedAlert): number {
  const { alert } = item;
  if (alert.kind === 'remediation') return alert.status === 'Success' ? 3 : 1;
  return alert.newCompliance === 'NON_COMPLIANT' ? 0 : 2;
}

/** The exemption tag shared by every rule: its presence exempts a resource, its value says why. */
import { notApplicable, type Judged } from './verdict.js';

/** NOT_APPLICABLE when `tags` carry `exemptionTagKey`, quoting the tag's value as the reason. */
export function exemptionVerdict(
  tags: Readonly<Record<string, string>>,
  exemptionTagKey: string,
): Judged<'EXEMPT'> | undefined {
  if (!Object.hasOwn(tags, exemptionTagKey)) return undefined;
  const reason = (tags[exemptionTagKey] ?? '').trim();
  const quoted = reason.length > 0 ? `"${reason}"` : 'no reason given';
  return notApplicable(`Exempt by tag ${exemptionTagKey}: ${quoted}.`, 'EXEMPT');
}

/**
 * Who owns a resource, from its owner tags: the value of the first owner tag key that is set,
 * accepted only in one of three forms, so that whoever can tag a resource can name its owner but
 * cannot address its alerts to anything else:
 *
 * - an email address (lower-cased; a dot-atom local part of `a-z 0-9 _ + -` up to 64 characters,
 *   a domain of at least two DNS labels up to 253, at most 254 in all);
 * - a bare name `[a-z0-9._-]{1,64}` (lower-cased), completed with `@<OWNER_EMAIL_DOMAIN>`; the
 *   completed address must be an email address as above. Without a domain, bare names are refused;
 * - the ARN of an SNS topic named in `OWNER_TOPIC_ALLOW_LIST`, exactly as listed.
 *
 * Only spaces around the value are ignored. Anything else (a newline or any other control or
 * format character anywhere, an unknown topic, a malformed address) makes the resource
 * {@link UNOWNED}, and the refusal travels with the alert so that the unowned message names it.
 */
import { EnaGuardError } from '../errors.js';
import { hasUnsafeCharacters } from './untrusted-text.js';

/** The owner used when no owner tag names a valid one; a security team can subscribe to it. */
export const UNOWNED = 'unowned';

/** The default tag keys looked up for an owner, first non-empty wins. */
export const DEFAULT_OWNER_TAG_KEYS = ['ena-guard:owner', 'Owner', 'owner', 'Contact'] as const;

/** Which owner values are accepted besides email addresses. */
export interface OwnerPolicy {
  /** Completes a bare name into an address (lower case); undefined: bare names are refused. */
  readonly emailDomain: string | undefined;
  /** The topic ARNs an owner tag may name. */
  readonly allowedTopicArns: ReadonlySet<string>;
}

/** The owner policy's settings (`OWNER_EMAIL_DOMAIN`, `OWNER_TOPIC_ALLOW_LIST`) are malformed. */
export class InvalidOwnerPolicyError extends EnaGuardError {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(message);
  }
}

/** Why an owner tag value was refused. */
export type OwnerRefusal =
  /** It holds a control or format character (a newline, an escape, a bidi override…). */
  | 'unsafe-characters'
  /** It is a topic ARN that is not in the allow-list. */
  | 'topic-not-allowed'
  /** It is a bare name, but no domain completes bare names. */
  | 'bare-name-without-domain'
  /** It is neither an email address, nor a bare name, nor a topic ARN. */
  | 'malformed';

export type OwnerResolution =
  | { readonly owner: string; readonly form: 'email' | 'name' | 'topic' }
  | { readonly owner: typeof UNOWNED; readonly form: 'none' }
  | { readonly owner: typeof UNOWNED; readonly form: 'refused'; readonly refused: RefusedOwner };

/** An owner tag value that was not accepted, as the tag held it (unsanitised: render it with safeText). */
export interface RefusedOwner {
  readonly tagKey: string;
  readonly value: string;
  readonly reason: OwnerRefusal;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const TOP_LABEL = '[a-z](?:[a-z0-9-]{0,61}[a-z0-9])';
const DOMAIN = new RegExp(`^(?=.{1,253}$)(?:${LABEL}\\.)+${TOP_LABEL}$`);
const LOCAL_PART = /^(?=.{1,64}$)[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*$/;
const BARE_NAME = /^[a-z0-9._-]{1,64}$/;
/** As the template's other topic parameters spell an SNS topic ARN. */
const TOPIC_ARN = /^arn:aws[a-z-]{0,16}:sns:[a-z0-9-]{1,32}:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/;
const MAX_ADDRESS = 254;

function isEmailAddress(value: string): boolean {
  if (value.length > MAX_ADDRESS) return false;
  const at = value.lastIndexOf('@');
  return at > 0 && LOCAL_PART.test(value.slice(0, at)) && DOMAIN.test(value.slice(at + 1));
}

/** Builds the policy from its two settings; throws {@link InvalidOwnerPolicyError} naming a malformed one. */
export function ownerPolicy(settings: { readonly emailDomain?: string | undefined; readonly topicAllowList?: string | undefined }): OwnerPolicy {
  const domain = settings.emailDomain?.trim().toLowerCase() ?? '';
  if (domain && !DOMAIN.test(domain)) {
    throw new InvalidOwnerPolicyError(`OWNER_EMAIL_DOMAIN ${JSON.stringify(domain)} is not a domain name (labels of a-z, 0-9 and -, at least two).`, 'OWNER_EMAIL_DOMAIN');
  }
  const topics = (settings.topicAllowList ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  const malformed = topics.filter((topic) => !TOPIC_ARN.test(topic));
  if (malformed.length > 0) {
    throw new InvalidOwnerPolicyError(`OWNER_TOPIC_ALLOW_LIST holds entries that are not SNS topic ARNs: ${malformed.map((topic) => JSON.stringify(topic)).join(', ')}.`, 'OWNER_TOPIC_ALLOW_LIST');
  }
  return { emailDomain: domain || undefined, allowedTopicArns: new Set(topics) };
}

/** The policy of the function's environment: `OWNER_EMAIL_DOMAIN` and `OWNER_TOPIC_ALLOW_LIST`, both optional. */
export function ownerPolicyFromEnvironment(env: Readonly<Record<string, string | undefined>>): OwnerPolicy {
  return ownerPolicy({ emailDomain: env.OWNER_EMAIL_DOMAIN, topicAllowList: env.OWNER_TOPIC_ALLOW_LIST });
}

/** The owner a tag value names under `policy`, or why it names none. */
export function validateOwner(value: string, policy: OwnerPolicy): { readonly owner: string; readonly form: 'email' | 'name' | 'topic' } | { readonly refusal: OwnerRefusal } {
  if (hasUnsafeCharacters(value)) return { refusal: 'unsafe-characters' };
  const trimmed = value.replace(/^ +| +$/g, '');
  if (trimmed.startsWith('arn:')) return policy.allowedTopicArns.has(trimmed) ? { owner: trimmed, form: 'topic' } : { refusal: 'topic-not-allowed' };
  const folded = trimmed.toLowerCase();
  if (folded.includes('@')) return isEmailAddress(folded) ? { owner: folded, form: 'email' } : { refusal: 'malformed' };
  if (!BARE_NAME.test(folded)) return { refusal: 'malformed' };
  if (!policy.emailDomain) return { refusal: 'bare-name-without-domain' };
  const address = `${folded}@${policy.emailDomain}`;
  return isEmailAddress(address) ? { owner: address, form: 'name' } : { refusal: 'malformed' };
}

/**
 * The owner of a resource: the value of the first of `ownerTagKeys` that is set (not blank),
 * validated. A refused value does not fall through to the next key: the resource is unowned.
 */
export function ownerOf(tags: Readonly<Record<string, string>>, ownerTagKeys: readonly string[], policy: OwnerPolicy): OwnerResolution {
  for (const tagKey of ownerTagKeys) {
    const value = tags[tagKey];
    if (value === undefined || value.trim() === '') continue;
    const validated = validateOwner(value, policy);
    return 'refusal' in validated ? { owner: UNOWNED, form: 'refused', refused: { tagKey, value, reason: validated.refusal } } : validated;
  }
  return { owner: UNOWNED, form: 'none' };
}

/**
 * The stack's scope: a tag that selects the resources one ena-guard stack judges, so that a fleet
 * too large for one sweep splits into stacks (each with its own NamePrefix) that each finish in
 * time. Every rule has the two parameters; an empty key means the whole account.
 */
import * as z from 'zod';
import { withTemplateForm } from './parameters.js';

export interface StackScope {
  readonly tagKey: string;
  /** Empty: any value of the tag. */
  readonly tagValue: string;
}

export const stackScopeParameters = {
  scopeTagKey: withTemplateForm(
    z.string().max(128).default('').describe('a tag key of up to 128 characters, or empty for the whole account (default empty)'),
    {
      summary: 'Tag key that selects the resources this stack judges (with ScopeTagValue); empty judges the whole account. Split a large fleet into stacks with their own NamePrefix and scope.',
      default: '',
      type: 'String',
      maxLength: 128,
      samples: { accepted: ['', 'ena-guard:stack', 'k'.repeat(128)], refused: ['k'.repeat(129)] },
    },
  ),
  scopeTagValue: withTemplateForm(
    z.string().max(256).default('').describe('a tag value of up to 256 characters; empty matches any value (default empty)'),
    {
      summary: 'Value of ScopeTagKey that selects the resources this stack judges; empty matches any value of the tag.',
      default: '',
      type: 'String',
      maxLength: 256,
      samples: { accepted: ['', 'team-a', 'v'.repeat(256)], refused: ['v'.repeat(257)] },
    },
  ),
};

/** The scope the parameters describe; undefined: the whole account. */
export function stackScopeOf(parameters: { readonly scopeTagKey?: string; readonly scopeTagValue?: string }): StackScope | undefined {
  const tagKey = parameters.scopeTagKey ?? '';
  return tagKey === '' ? undefined : { tagKey, tagValue: parameters.scopeTagValue ?? '' };
}

/** Whether a resource with these tags is one this stack judges. */
export function inStackScope(tags: Readonly<Record<string, string>>, scope: StackScope | undefined): boolean {
  if (scope === undefined) return true;
  if (!Object.hasOwn(tags, scope.tagKey)) return false;
  return scope.tagValue === '' || tags[scope.tagKey] === scope.tagValue;
}

/** Says which tag puts a resource in this stack's scope, for NOT_APPLICABLE annotations. */
export function describeStackScope(scope: StackScope): string {
  return scope.tagValue === '' ? `tagged ${scope.tagKey}` : `tagged ${scope.tagKey}=${scope.tagValue}`;
}

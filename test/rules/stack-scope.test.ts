import { describe, expect, it } from 'vitest';
import { inStackScope, stackScopeOf } from '../../rules/stack-scope.js';

describe('the stack scope', () => {
  it.each([
    ['no scope key judges every resource', { scopeTagKey: '', scopeTagValue: 'ignored' }, {}, true],
    ['a key and value select resources tagged with exactly that value', { scopeTagKey: 'stack', scopeTagValue: 'team-a' }, { stack: 'team-a' }, true],
    ['a key and value leave out another value', { scopeTagKey: 'stack', scopeTagValue: 'team-a' }, { stack: 'team-b' }, false],
    ['a key and value leave out an untagged resource', { scopeTagKey: 'stack', scopeTagValue: 'team-a' }, { Name: 'web' }, false],
    ['a key alone selects any value of the tag', { scopeTagKey: 'stack', scopeTagValue: '' }, { stack: '' }, true],
    ['a key alone leaves out a resource without the tag', { scopeTagKey: 'stack', scopeTagValue: '' }, {}, false],
    ['tag keys are case-sensitive, as EC2 treats them', { scopeTagKey: 'Stack', scopeTagValue: 'team-a' }, { stack: 'team-a' }, false],
  ])('%s', (_situation, parameters, tags: Record<string, string>, expected) => {
    expect(inStackScope(tags, stackScopeOf(parameters))).toBe(expected);
  });
});

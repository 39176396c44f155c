/**
 * A stack scoped by ScopeTagKey/ScopeTagValue judges only the resources with that tag: the fleet
 * is filtered by EC2 itself (so a scoped stack reads only its own pages), change events outside
 * the scope are NOT_APPLICABLE, and the image rule leaves out AMIs and templates outside it.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import type { InstanceFacts, InstanceTypeFacts } from '../../rules/facts.js';
import { imageEnabledRule } from '../../rules/image-enabled.js';
import { instanceEnabledRule } from '../../rules/instance-enabled.js';
import { parseRuleParameters } from '../../rules/parameters.js';
import { bindImageRule } from '../../src/checks/image-enabled.js';
import { bindInstanceRule } from '../../src/checks/instance-rule.js';
import type { ConfigurationItem } from '../../src/engine/config-event.js';
import { silentLog } from '../../src/engine/ports.js';
import type { ConfigRuleSpec, ResourceResult } from '../../src/engine/rule-spec.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import type { FleetReader } from '../../src/facts/fleet-reader.js';
import type { ImageReader } from '../../src/facts/image-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';
import { fakeEc2 } from '../support/ec2-query-server.js';
import { imageFacts, templateFacts } from '../support/images.js';
import { fixedClock, instanceFacts, sdkInstance } from '../support/instances.js';

const M5: InstanceTypeFacts = { instanceType: 'm5.large', enaSupport: 'required', enaSrdSupported: false, hypervisor: 'nitro' };
const scoped = { scopeTagKey: 'ena-guard:stack', scopeTagValue: 'team-a' };

function parameters(schema: z.ZodObject, raw: Record<string, string>): Record<string, unknown> {
  const parsed = parseRuleParameters(schema, raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** A FleetReader over a fixed list that ignores the scope, as a source that cannot filter would. */
function unfilteredFleet(instances: InstanceFacts[]): FleetReader {
  return {
    async *instancePages() {
      yield instances;
    },
    async instanceTypes() {
      return new Map([['m5.large', M5]]);
    },
  };
}

async function sweepAll(spec: ConfigRuleSpec, raw: Record<string, unknown>): Promise<ResourceResult[]> {
  const results: ResourceResult[] = [];
  for await (const batch of spec.sweep(raw, { accountId: '123456789012', log: silentLog })) results.push(...batch);
  return results;
}

function ec2Over(fake: ReturnType<typeof fakeEc2>): EC2Client {
  return new EC2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' }, requestHandler: fake.handler as never });
}

describe('a scoped stack', () => {
  it('asks EC2 for the tagged instances only, next to the state filter', async () => {
    const fake = fakeEc2([[{ ReservationId: 'r-1', OwnerId: '123456789012', Instances: [sdkInstance(1, { Tags: [{ Key: 'ena-guard:stack', Value: 'team-a' }] })] }]]);
    const ec2 = ec2Over(fake);
    const reader = new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2), fixedClock);

    const pages: InstanceFacts[][] = [];
    for await (const page of reader.instancePages({ tagKey: 'ena-guard:stack', tagValue: 'team-a' })) pages.push([...page]);

    expect(pages.flat()).toHaveLength(1);
    const params = fake.requests.find((request) => request.action === 'DescribeInstances')!.params;
    expect([params.get('Filter.1.Name'), params.get('Filter.2.Name'), params.get('Filter.2.Value.1')]).toEqual(['instance-state-name', 'tag:ena-guard:stack', 'team-a']);
  });

  it('asks EC2 for any value of the tag when the scope names a key alone', async () => {
    const fake = fakeEc2([[]]);
    const ec2 = ec2Over(fake);

    for await (const page of new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2), fixedClock).instancePages({ tagKey: 'ena-guard:stack', tagValue: '' })) expect(page).toEqual([]);

    const params = fake.requests[0]!.params;
    expect([params.get('Filter.2.Name'), params.get('Filter.2.Value.1')]).toEqual(['tag-key', 'ena-guard:stack']);
  });

  it('sends no tag filter when the stack judges the whole account', async () => {
    const fake = fakeEc2([[]]);
    const ec2 = ec2Over(fake);

    for await (const page of new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2), fixedClock).instancePages(undefined)) expect(page).toEqual([]);

    expect(fake.requests[0]!.params.get('Filter.2.Name')).toBeNull();
  });

  it('judges only the instances in scope even when the source returns others', async () => {
    const inScope = instanceFacts({ instanceId: 'i-0aaaaaaaaaaaaaaa1', tags: { 'ena-guard:stack': 'team-a' } });
    const other = instanceFacts({ instanceId: 'i-0bbbbbbbbbbbbbbb2', tags: { 'ena-guard:stack': 'team-b' } });
    const spec = bindInstanceRule(instanceEnabledRule, { fleet: unfilteredFleet([inScope, other]), now: fixedClock });

    const results = await sweepAll(spec, parameters(instanceEnabledRule.parameters, scoped));

    expect(results.map((result) => result.resourceId)).toEqual(['i-0aaaaaaaaaaaaaaa1']);
  });

  it('reports a change event of an instance outside the scope as NOT_APPLICABLE, naming the scope', async () => {
    const spec = bindInstanceRule(instanceEnabledRule, { fleet: unfilteredFleet([]), now: fixedClock });
    const item = {
      resourceType: 'AWS::EC2::Instance',
      resourceId: 'i-0bbbbbbbbbbbbbbb2',
      configurationItemStatus: 'OK',
      configurationItemCaptureTime: '2026-11-30T10:00:00.000Z',
      configuration: { instanceId: 'i-0bbbbbbbbbbbbbbb2', instanceType: 'm5.large', state: { name: 'running' }, enaSupport: false },
      tags: { 'ena-guard:stack': 'team-b' },
    } as unknown as ConfigurationItem;

    const result = await spec.judgeChange!(item, parameters(instanceEnabledRule.parameters, scoped));

    expect(result.verdict).toEqual({
      outcome: 'judged',
      compliance: 'NOT_APPLICABLE',
      annotation: "Outside this stack's scope: not tagged ena-guard:stack=team-a.",
      reasons: ['OUT_OF_STACK_SCOPE'],
    });
  });

  it('leaves AMIs and launch templates outside the scope out of the image rule', async () => {
    const images: ImageReader = {
      async *ownedImagePages() {
        yield [imageFacts({ imageId: 'ami-0aaaaaaaaaaaaaaa1', tags: { 'ena-guard:stack': 'team-a' } }), imageFacts({ imageId: 'ami-0bbbbbbbbbbbbbbb2', enaSupport: false })];
      },
      async *launchTemplatePages() {
        yield [templateFacts({ launchTemplateId: 'lt-0aaaaaaaaaaaaaaa1', tags: { 'ena-guard:stack': 'team-a' } }), templateFacts({ launchTemplateId: 'lt-0bbbbbbbbbbbbbbb2', tags: {} })];
      },
      async resolveImageAliases() {
        return new Map();
      },
      async imagesById() {
        return new Map();
      },
      async launchTemplateById() {
        return undefined;
      },
    };
    const spec = bindImageRule(imageEnabledRule, { images, now: fixedClock });

    const results = await sweepAll(spec, parameters(imageEnabledRule.parameters, scoped));

    expect(results.map((result) => `${result.resourceType} ${result.resourceId}`)).toEqual(['AWS::EC2::Image ami-0aaaaaaaaaaaaaaa1', 'AWS::EC2::LaunchTemplate lt-0aaaaaaaaaaaaaaa1']);
  });
});

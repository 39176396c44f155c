/**
 * The day an exemption's expiry is compared with comes from the facts: the day they were read.
 * For a change event that is the day of the evaluation (the binder's clock), not the day Config
 * captured the item; for a snapshot it is the day of the run, not of the export.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { imageEnabledRule } from '../../rules/image-enabled.js';
import { instanceEnabledRule } from '../../rules/instance-enabled.js';
import { parseRuleParameters } from '../../rules/parameters.js';
import { imageFactsFromConfigurationItem } from '../../src/checks/image-configuration-item.js';
import { instanceFactsFromConfigurationItem } from '../../src/checks/configuration-item.js';
import { bindImageRule } from '../../src/checks/image-enabled.js';
import { bindInstanceRule } from '../../src/checks/instance-rule.js';
import { allChecks } from '../../src/checks/index.js';
import type { ConfigurationItem } from '../../src/engine/config-event.js';
import { silentLog } from '../../src/engine/ports.js';
import type { ResourceResult } from '../../src/engine/rule-spec.js';
import type { FleetReader } from '../../src/facts/fleet-reader.js';
import type { ImageReader } from '../../src/facts/image-reader.js';
import { snapshotSources } from '../../src/facts/sources.js';
import { sdkImage } from '../support/images.js';
import { sdkInstance, sdkInstanceType } from '../support/instances.js';

const KEY = 'ena-guard:exempt';
/** Captured by Config on the exemption's last day… */
const CAPTURED = '2026-11-19T22:00:00.000Z';
/** …and evaluated the day after. */
const EVALUATED = new Date('2026-11-20T08:00:00.000Z');
const LAST_DAY_EXEMPTION = 'vendor appliance; until=2026-11-19';

function parameters(schema: z.ZodObject): Record<string, unknown> {
  const parsed = parseRuleParameters(schema, {});
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value as Record<string, unknown>;
}

function instanceItem(tags: Record<string, string>): ConfigurationItem {
  return {
    resourceType: 'AWS::EC2::Instance',
    resourceId: 'i-0aaaaaaaaaaaaaaa1',
    configurationItemStatus: 'OK',
    configurationItemCaptureTime: CAPTURED,
    configuration: { instanceId: 'i-0aaaaaaaaaaaaaaa1', instanceType: 'r4.large', state: { name: 'running' }, enaSupport: false },
    tags,
  } as unknown as ConfigurationItem;
}

function imageItem(tags: Record<string, string>): ConfigurationItem {
  return {
    resourceType: 'AWS::EC2::Image',
    resourceId: 'ami-0aaaaaaaaaaaaaaa1',
    configurationItemStatus: 'OK',
    configurationItemCaptureTime: CAPTURED,
    configuration: { imageId: 'ami-0aaaaaaaaaaaaaaa1', state: 'available', enaSupport: false, virtualizationType: 'hvm' },
    tags,
  } as unknown as ConfigurationItem;
}

const r4Fleet: FleetReader = {
  async *instancePages() {},
  async instanceTypes() {
    return new Map([['r4.large', { instanceType: 'r4.large', enaSupport: 'supported', enaSrdSupported: false, hypervisor: 'xen' }]]);
  },
};

const noImages: ImageReader = {
  async *ownedImagePages() {},
  async *launchTemplatePages() {},
  async resolveImageAliases() {
    return new Map();
  },
  async imagesById() {
    throw new Error('the recorded item is complete: no lookup expected');
  },
  async launchTemplateById() {
    return undefined;
  },
};

describe('a change event', () => {
  it('dates the facts of a configuration item with the day of the evaluation, not of the capture', () => {
    expect(instanceFactsFromConfigurationItem(instanceItem({}), EVALUATED).observedOn).toBe('2026-11-20');
    expect(imageFactsFromConfigurationItem(imageItem({}), EVALUATED)).toMatchObject({ complete: true, image: { observedOn: '2026-11-20' } });
  });

  it('judges an instance whose exemption lapsed between the capture and the evaluation as any other', async () => {
    const spec = bindInstanceRule(instanceEnabledRule, { fleet: r4Fleet, now: () => EVALUATED });

    const lapsed = await spec.judgeChange!(instanceItem({ [KEY]: LAST_DAY_EXEMPTION }), parameters(instanceEnabledRule.parameters));
    const held = await spec.judgeChange!(instanceItem({ [KEY]: 'vendor appliance; until=2026-11-20' }), parameters(instanceEnabledRule.parameters));

    expect(lapsed.verdict).toMatchObject({ outcome: 'judged', compliance: 'NON_COMPLIANT', reasons: ['ENA_DISABLED'] });
    expect(held.verdict).toMatchObject({ outcome: 'judged', compliance: 'NOT_APPLICABLE', reasons: ['EXEMPT'], annotation: expect.stringContaining('"vendor appliance"') });
  });

  it('judges an AMI whose exemption lapsed between the capture and the evaluation as any other', async () => {
    const spec = bindImageRule(imageEnabledRule, { images: noImages, now: () => EVALUATED });

    const lapsed = await spec.judgeChange!(imageItem({ [KEY]: LAST_DAY_EXEMPTION }), parameters(imageEnabledRule.parameters));
    const reasonless = await spec.judgeChange!(imageItem({ [KEY]: '' }), parameters(imageEnabledRule.parameters));

    expect(lapsed.verdict).toMatchObject({ outcome: 'judged', compliance: 'NON_COMPLIANT', reasons: ['IMAGE_WITHOUT_ENA'] });
    expect(reasonless.verdict).toMatchObject({ outcome: 'judged', compliance: 'NON_COMPLIANT', reasons: ['IMAGE_WITHOUT_ENA'] });
  });
});

describe('a snapshot', () => {
  const created: string[] = [];
  afterAll(() => {
    for (const directory of created) rmSync(directory, { recursive: true, force: true });
  });

  it('is judged with the day of the run: an exemption valid when exported but lapsed since is not honoured', async () => {
    // Prepare: exported while the exemptions held (both until 2026-11-19).
    const directory = mkdtempSync(join(tmpdir(), 'ena-guard-exemption-day-'));
    created.push(directory);
    const tags = [{ Key: KEY, Value: LAST_DAY_EXEMPTION }];
    const files: Record<string, unknown> = {
      'describe-instances.json': { Reservations: [{ ReservationId: 'r-1', OwnerId: '123456789012', Instances: [sdkInstance(1, { InstanceType: 'r4.large', EnaSupport: false, Tags: tags })] }] },
      'describe-instance-types.json': { InstanceTypes: [sdkInstanceType('r4.large', 'supported')] },
      'describe-images.json': { Images: [sdkImage(1, { EnaSupport: false, Tags: tags })] },
      'describe-launch-template-versions.json': { LaunchTemplateVersions: [] },
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(directory, name), JSON.stringify(content));
    const judge = async (now: Date) => {
      const results: ResourceResult[] = [];
      for (const spec of allChecks(snapshotSources(directory, () => now)).filter((check) => check.name !== 'ena-driver-current')) {
        for await (const batch of spec.sweep(parameters(spec.parameters), { accountId: undefined, log: silentLog })) results.push(...batch);
      }
      return results.map((result) => [result.resourceId, result.verdict.outcome === 'judged' ? result.verdict.compliance : 'NOT_JUDGED']);
    };

    // Act
    const onTheLastDay = await judge(new Date('2026-11-19T23:59:59.999Z'));
    const theDayAfter = await judge(new Date('2026-11-20T00:00:00.000Z'));

    // Assess
    expect(onTheLastDay).toEqual([
      [sdkInstance(1).InstanceId, 'NOT_APPLICABLE'],
      [sdkImage(1).ImageId, 'NOT_APPLICABLE'],
      [sdkInstance(1).InstanceId, 'NOT_APPLICABLE'],
    ]);
    expect(theDayAfter).toEqual([
      [sdkInstance(1).InstanceId, 'NON_COMPLIANT'],
      [sdkImage(1).ImageId, 'NON_COMPLIANT'],
      // ena-express-enabled: no longer exempt, and not tagged for ENA Express.
      [sdkInstance(1).InstanceId, 'NOT_APPLICABLE'],
    ]);
  });
});

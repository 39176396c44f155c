import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  type DescribeImagesCommandInput,
  type DescribeLaunchTemplateVersionsCommandInput,
  type Image,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FactsUnavailableError } from '../../src/errors.js';
import { AwsImageReader } from '../../src/facts/aws-image-reader.js';
import { amiId, sdkImage, sdkLaunchTemplate, sdkTemplateVersion } from '../support/images.js';

const ec2Mock = mockClient(EC2Client);
const NOW = new Date('2026-11-20T12:00:00.000Z');

function reader() {
  return new AwsImageReader(new EC2Client({ region: 'eu-west-1' }), () => NOW);
}

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) items.push(...page);
  return items;
}

/** Answers a filtered DescribeImages with the images whose id is in the `image-id` filter. */
function imagesByFilter(known: readonly Image[]) {
  return (input: DescribeImagesCommandInput) => {
    const wanted = new Set(input.Filters?.find((filter) => filter.Name === 'image-id')?.Values ?? []);
    return { Images: known.filter((image) => wanted.has(image.ImageId ?? '')) };
  };
}

beforeEach(() => {
  ec2Mock.reset();
});

describe('AwsImageReader.ownedImagePages', () => {
  it('reads the owned AMIs page by page, 1000 at a time, with the same filters on every page', async () => {
    // Prepare
    const pages = [
      { Images: Array.from({ length: 100 }, (_, index) => sdkImage(index)), NextToken: 'page-2' },
      { Images: Array.from({ length: 50 }, (_, index) => sdkImage(100 + index)) },
    ];
    // The paginator reuses one input object: copy each request as it is made.
    const requests: DescribeImagesCommandInput[] = [];
    ec2Mock.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput) => {
      requests.push({ ...input });
      return input.NextToken ? pages[1] : pages[0];
    });

    // Act
    const images = await collect(reader().ownedImagePages());

    // Assess
    expect(images).toHaveLength(150);
    expect(new Set(images.map((image) => image.imageId)).size).toBe(150);
    expect(requests).toEqual([
      { Owners: ['self'], IncludeDeprecated: true, MaxResults: 1000 },
      { Owners: ['self'], IncludeDeprecated: true, MaxResults: 1000, NextToken: 'page-2' },
    ]);
  });

  // EC2 sends "windows" although the SDK's enum spells "Windows", hence the cast.
  it('keeps what the rule and the report need, and decides deprecation with the injected clock', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        sdkImage(1, { DeprecationTime: '2026-11-01T00:00:00.000Z', EnaSupport: false, VirtualizationType: 'paravirtual', Tags: [{ Key: 'ena-guard:exempt', Value: 'vendor' }] }),
        sdkImage(2, { DeprecationTime: '2027-01-01T00:00:00.000Z', EnaSupport: undefined, Platform: 'windows' as Image['Platform'] }),
      ],
    });

    // Act
    const [past, future] = await collect(reader().ownedImagePages());

    // Assess
    expect(past).toMatchObject({
      imageId: amiId(1),
      name: 'image-1',
      ownerId: '123456789012',
      deprecated: true,
      enaSupport: false,
      virtualizationType: 'paravirtual',
      rootDeviceType: 'ebs',
      state: 'available',
      tags: { 'ena-guard:exempt': 'vendor' },
    });
    expect(future).toMatchObject({ deprecated: false, deprecationTime: '2027-01-01T00:00:00.000Z', enaSupport: undefined, platform: 'windows' });
  });

  it('raises FactsUnavailableError naming the call when DescribeImages fails', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));

    // Act
    const outcome = collect(reader().ownedImagePages());

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(FactsUnavailableError);
    await expect(outcome).rejects.toThrow('DescribeImages (owned AMIs) failed: RequestLimitExceeded: Rate exceeded');
  });
});

describe('AwsImageReader.launchTemplatePages', () => {
  it('reads every default version in pages of 200 and joins each template\'s own tags', async () => {
    // Prepare
    const ids = Array.from({ length: 300 }, (_, index) => `lt-${index.toString(16).padStart(17, '0')}`);
    ec2Mock.on(DescribeLaunchTemplatesCommand).callsFake((input: { NextToken?: string }) =>
      input.NextToken
        ? { LaunchTemplates: ids.slice(200).map((id) => sdkLaunchTemplate(id, `t-${id}`)) }
        : {
            LaunchTemplates: ids.slice(0, 200).map((id, index) => sdkLaunchTemplate(id, `t-${id}`, index === 7 ? { Tags: [{ Key: 'ena-guard:exempt', Value: 'lab' }] } : {})),
            NextToken: 'templates-2',
          },
    );
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) =>
      input.NextToken
        ? { LaunchTemplateVersions: ids.slice(200).map((id) => sdkTemplateVersion(id, `t-${id}`, amiId(1))) }
        : {
            LaunchTemplateVersions: ids.slice(0, 200).map((id, index) => sdkTemplateVersion(id, `t-${id}`, index === 3 ? 'resolve:ssm:/golden/al2023' : index === 4 ? undefined : amiId(2), 5)),
            NextToken: 'versions-2',
          },
    );

    // Act
    const templates = await collect(reader().launchTemplatePages());

    // Assess
    expect(templates).toHaveLength(300);
    expect(templates[3]).toMatchObject({ defaultVersion: 5, image: { kind: 'ssm', parameter: 'resolve:ssm:/golden/al2023', imageId: undefined } });
    expect(templates[4]?.image).toEqual({ kind: 'none' });
    expect(templates[7]).toMatchObject({ image: { kind: 'id', imageId: amiId(2) }, tags: { 'ena-guard:exempt': 'lab' } });
    expect(templates[250]).toMatchObject({ launchTemplateId: ids[250], launchTemplateName: `t-${ids[250]}`, tags: {} });
    expect(new Set(templates.map((template) => template.observedOn))).toEqual(new Set(['2026-11-20']));
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeLaunchTemplatesCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeLaunchTemplateVersionsCommand, 2);
    for (const call of ec2Mock.commandCalls(DescribeLaunchTemplateVersionsCommand)) {
      expect(call.args[0].input).toMatchObject({ Versions: ['$Default'], MaxResults: 200 });
      expect(call.args[0].input.LaunchTemplateId).toBeUndefined();
      expect(call.args[0].input.ResolveAlias).toBeUndefined();
    }
    expect(ec2Mock.commandCalls(DescribeLaunchTemplatesCommand)[0]?.args[0].input).toMatchObject({ MaxResults: 200 });
  });
});

describe('AwsImageReader.resolveImageAliases', () => {
  it('asks EC2 once per distinct parameter, with ResolveAlias on that template\'s default version', async () => {
    // Prepare
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) =>
      input.LaunchTemplateId === 'lt-a'
        ? { LaunchTemplateVersions: [sdkTemplateVersion('lt-a', 'a', amiId(5), 3)] }
        : Promise.reject(Object.assign(new Error('parameter /missing not found'), { name: 'InvalidParameterValue' })),
    );
    const ssm = (parameter: string) => ({ kind: 'ssm', parameter, imageId: undefined }) as const;
    const templates = [
      { launchTemplateId: 'lt-a', launchTemplateName: 'a', defaultVersion: 3, image: ssm('resolve:ssm:/golden'), tags: {}, observedOn: '2026-11-20' },
      { launchTemplateId: 'lt-b', launchTemplateName: 'b', defaultVersion: 1, image: ssm('resolve:ssm:/golden'), tags: {}, observedOn: '2026-11-20' },
      { launchTemplateId: 'lt-c', launchTemplateName: 'c', defaultVersion: 2, image: ssm('resolve:ssm:/missing'), tags: {}, observedOn: '2026-11-20' },
    ];

    // Act
    const resolutions = await reader().resolveImageAliases(templates);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeLaunchTemplateVersionsCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: 'lt-a', Versions: ['3'], ResolveAlias: true });
    expect(resolutions.get('lt-a')).toEqual({ ok: true, imageId: amiId(5) });
    expect(resolutions.get('lt-b')).toEqual({ ok: true, imageId: amiId(5) });
    expect(resolutions.get('lt-c')).toMatchObject({ ok: false, detail: expect.stringContaining('resolve:ssm:/missing') });
  });

  it('reports a parameter EC2 left unresolved as a failure, not as an AMI id', async () => {
    // Prepare
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [sdkTemplateVersion('lt-a', 'a', 'resolve:ssm:/golden')] });

    // Act
    const resolutions = await reader().resolveImageAliases([
      { launchTemplateId: 'lt-a', launchTemplateName: 'a', defaultVersion: 1, image: { kind: 'ssm', parameter: 'resolve:ssm:/golden', imageId: undefined }, tags: {}, observedOn: '2026-11-20' },
    ]);

    // Assess
    expect(resolutions.get('lt-a')).toMatchObject({ ok: false, detail: expect.stringContaining('did not resolve') });
  });
});

describe('AwsImageReader.imagesById', () => {
  it('looks AMIs up with the image-id filter, 200 per call, and leaves out the ones EC2 does not return', async () => {
    // Prepare
    const known = Array.from({ length: 450 }, (_, index) => sdkImage(index, { OwnerId: '137112412989' }));
    ec2Mock.on(DescribeImagesCommand).callsFake(imagesByFilter(known.filter((image) => image.ImageId !== amiId(17))));
    const wanted = [...known.map((image) => image.ImageId!), amiId(17)];

    // Act
    const found = await reader().imagesById(wanted);

    // Assess
    expect(found.size).toBe(449);
    expect(found.has(amiId(17))).toBe(false);
    expect(found.get(amiId(300))).toMatchObject({ ownerId: '137112412989', enaSupport: true });
    const calls = ec2Mock.commandCalls(DescribeImagesCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls.map((input) => input.Filters?.[0]?.Values?.length)).toEqual([200, 200, 50]);
    for (const input of calls) {
      expect(input).toMatchObject({ IncludeDeprecated: true, IncludeDisabled: true, Filters: [{ Name: 'image-id' }] });
      expect(input.ImageIds).toBeUndefined();
      expect(input.Owners).toBeUndefined();
    }
  });

  it('raises FactsUnavailableError when a lookup fails', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));

    // Act
    const outcome = reader().imagesById([amiId(1)]);

    // Assess
    await expect(outcome).rejects.toThrow(/^DescribeImages \(1 AMIs by id\) failed: ServiceUnavailable/);
  });
});

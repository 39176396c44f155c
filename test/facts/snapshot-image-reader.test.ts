import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescribeImagesResult, DescribeInstancesResult, DescribeLaunchTemplatesResult, DescribeLaunchTemplateVersionsResult } from '@aws-sdk/client-ec2';
import type { GetParametersResult } from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import { MissingSnapshotFileError, SnapshotError } from '../../src/errors.js';
import { SnapshotImageReader } from '../../src/facts/snapshot-image-reader.js';
import { amiId, sdkImage, sdkLaunchTemplate, sdkTemplateVersion } from '../support/images.js';
import { sdkInstance } from '../support/instances.js';

const created: string[] = [];
afterAll(() => {
  for (const directory of created) rmSync(directory, { recursive: true, force: true });
});

function snapshotWith(files: Record<string, unknown>): string {
  const directory = mkdtempSync(join(tmpdir(), 'ena-guard-images-'));
  created.push(directory);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(directory, name), typeof content === 'string' ? content : JSON.stringify(content, null, 4));
  return directory;
}

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) items.push(...page);
  return items;
}

const owned: DescribeImagesResult = { Images: [sdkImage(1), sdkImage(2, { EnaSupport: false, DeprecationTime: '2026-01-01T00:00:00.000Z' })] };
const versions: DescribeLaunchTemplateVersionsResult = {
  LaunchTemplateVersions: [
    sdkTemplateVersion('lt-web', 'web', amiId(1)),
    sdkTemplateVersion('lt-ssm', 'ssm', 'resolve:ssm:/golden/al2023'),
    sdkTemplateVersion('lt-public', 'public', amiId(99)),
  ],
};
const templates: DescribeLaunchTemplatesResult = {
  LaunchTemplates: [sdkLaunchTemplate('lt-web', 'web', { Tags: [{ Key: 'ena-guard:exempt', Value: 'lab' }] })],
};

function reader(directory: string) {
  return new SnapshotImageReader(directory, () => new Date('2026-11-20T12:00:00Z'));
}

describe('SnapshotImageReader', () => {
  it('reads owned AMIs and default versions, with template tags when describe-launch-templates.json is there', async () => {
    // Prepare
    const directory = snapshotWith({
      'describe-images.json': owned,
      'describe-launch-template-versions.json': versions,
      'describe-launch-templates.json': templates,
    });

    // Act
    const images = await collect(reader(directory).ownedImagePages());
    const listed = await collect(reader(directory).launchTemplatePages());

    // Assess
    expect(images.map((image) => [image.imageId, image.enaSupport, image.deprecated])).toEqual([
      [amiId(1), true, false],
      [amiId(2), false, true],
    ]);
    expect(listed.map((template) => [template.launchTemplateId, template.image.kind, template.tags])).toEqual([
      ['lt-web', 'id', { 'ena-guard:exempt': 'lab' }],
      ['lt-ssm', 'ssm', {}],
      ['lt-public', 'id', {}],
    ]);
    // Dated with the day of the run (the reader's clock), not of the export.
    expect(new Set([...images, ...listed].map((facts) => facts.observedOn))).toEqual(new Set(['2026-11-20']));
  });

  it('reads templates without tags when describe-launch-templates.json is absent', async () => {
    // Prepare
    const directory = snapshotWith({ 'describe-launch-template-versions.json': versions });

    // Act
    const listed = await collect(reader(directory).launchTemplatePages());

    // Assess
    expect(listed.every((template) => Object.keys(template.tags).length === 0)).toBe(true);
  });

  it('resolves resolve:ssm: AMIs from get-parameters.json, and says what to export when it cannot', async () => {
    // Prepare
    const parameters: GetParametersResult = {
      Parameters: [{ Name: '/golden/al2023', Type: 'String', Value: amiId(1), Version: 3, DataType: 'aws:ec2:image' }],
      InvalidParameters: [],
    };
    const withParameters = reader(snapshotWith({ 'get-parameters.json': parameters }));
    const without = reader(snapshotWith({}));
    const aliased = [{ launchTemplateId: 'lt-ssm', launchTemplateName: 'ssm', defaultVersion: 1, image: { kind: 'ssm', parameter: 'resolve:ssm:/golden/al2023', imageId: undefined } as const, tags: {}, observedOn: '2026-11-20' }];

    // Act
    const resolved = await withParameters.resolveImageAliases(aliased);
    const unresolved = await without.resolveImageAliases(aliased);

    // Assess
    expect(resolved.get('lt-ssm')).toEqual({ ok: true, imageId: amiId(1) });
    expect(unresolved.get('lt-ssm')).toMatchObject({ ok: false, detail: expect.stringContaining('--resolve-alias') });
  });

  it('looks referenced AMIs up in describe-referenced-images.json, where an absent AMI is missing', async () => {
    // Prepare
    const directory = snapshotWith({
      'describe-images.json': owned,
      'describe-referenced-images.json': { Images: [sdkImage(99, { OwnerId: '137112412989', Public: true })] },
    });

    // Act
    const found = await reader(directory).imagesById([amiId(1), amiId(99), amiId(98)]);

    // Assess
    expect([...found.keys()].sort()).toEqual([amiId(1), amiId(99)]);
    expect(found.get(amiId(99))?.ownerId).toBe('137112412989');
  });

  it('cannot call an AMI missing when the snapshot has no describe-referenced-images.json', async () => {
    // Prepare
    const directory = snapshotWith({ 'describe-images.json': owned });

    // Act
    const ownedOnly = await reader(directory).imagesById([amiId(1)]);
    const outcome = reader(directory).imagesById([amiId(1), amiId(99)]);

    // Assess
    expect(ownedOnly.size).toBe(1);
    await expect(outcome).rejects.toBeInstanceOf(MissingSnapshotFileError);
    await expect(outcome).rejects.toThrow(`${join(directory, 'describe-referenced-images.json')}: file not found`);
  });

  it('names the path inside a describe-images.json whose shape is not the API output', async () => {
    // Prepare
    const directory = snapshotWith({ 'describe-images.json': { Images: [{ ImageId: 'ami-1', VirtualizationType: 7 }] } });

    // Act
    const outcome = collect(reader(directory).ownedImagePages());

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(SnapshotError);
    await expect(outcome).rejects.toThrow(/describe-images\.json: Images\[0\]\.VirtualizationType: /);
  });

  it('reads a virtualization or root device type EC2 does not document as unknown, as the live reader does, instead of refusing the file', async () => {
    const directory = snapshotWith({ 'describe-images.json': { Images: [sdkImage(1, { RootDeviceType: 'standard' as never, VirtualizationType: 'hvm2' as never })] } });

    const [image] = await collect(reader(directory).ownedImagePages());

    expect(image).toMatchObject({ imageId: amiId(1), rootDeviceType: undefined, virtualizationType: undefined });
  });

  it('takes the account id from describe-instances.json when it is there', async () => {
    // Prepare
    const withInstances = snapshotWith({ 'describe-instances.json': { Reservations: [{ ReservationId: 'r-1', OwnerId: '111122223333', Instances: [] }] } });

    // Act
    const known = await reader(withInstances).accountId();
    const unknown = await reader(snapshotWith({})).accountId();

    // Assess
    expect(known).toBe('111122223333');
    expect(unknown).toBeUndefined();
  });

  it('counts the instances that run from each AMI, leaving terminated ones out, and finds a template by id', async () => {
    // Prepare
    const instances: DescribeInstancesResult = {
      Reservations: [
        { ReservationId: 'r-1', OwnerId: '123456789012', Instances: [sdkInstance(1, { ImageId: amiId(1) }), sdkInstance(2, { ImageId: amiId(99) })] },
        { ReservationId: 'r-2', OwnerId: '123456789012', Instances: [sdkInstance(3, { ImageId: amiId(99) }), sdkInstance(4, { ImageId: amiId(1), State: { Code: 48, Name: 'terminated' } })] },
      ],
    };
    const snapshot = reader(snapshotWith({ 'describe-instances.json': instances, 'describe-images.json': owned, 'describe-launch-template-versions.json': versions }));

    // Act
    const usage = await snapshot.instanceImageUsage();
    const web = await snapshot.launchTemplateById('lt-web');
    const none = await snapshot.launchTemplateById('lt-0000000000000000f');

    // Assess
    expect([...usage]).toEqual([[amiId(1), 1], [amiId(99), 2]]);
    expect(web?.launchTemplateName).toBe('web');
    expect(none).toBeUndefined();
  });

  it('counts no instance when the snapshot has no describe-instances.json', async () => {
    // Act
    const usage = await reader(snapshotWith({ 'describe-images.json': owned })).instanceImageUsage();

    // Assess
    expect(usage.size).toBe(0);
  });
});

/**
 * The simulator behaviours EnaGuard-ReplaceImageWithEna depends on and that were added for it:
 * DescribeImageAttribute (block device mappings without `Encrypted`), RegisterImage refusing
 * `Encrypted` next to a snapshot and tagging from TagSpecifications, and EnableImageDeprecation
 * refusing a time in the past.
 */
import { DescribeImageAttributeCommand, EC2Client, EC2ServiceException, type BlockDeviceMapping, type Image } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountModel, wireEc2Client } from '../../src/simulator/index.js';
import { ACCOUNT_ID, START } from '../simulator/fixtures.js';
import { OLD_IMAGE_ID, OLD_SNAPSHOT_ID, oldImage } from './replace-image-fixtures.js';

const ec2Stub = mockClient(EC2Client);

afterEach(() => {
  ec2Stub.reset();
});

function errorOf(run: () => unknown): EC2ServiceException {
  try {
    run();
  } catch (error) {
    if (error instanceof EC2ServiceException) return error;
    throw error;
  }
  throw new Error('expected an EC2 error');
}

function accountWithOldImage(overrides: Partial<Image> = {}): AccountModel {
  return AccountModel.fromSnapshot({ accountId: ACCOUNT_ID, startTime: START, images: [oldImage(overrides)] });
}

describe('DescribeImageAttribute', () => {
  it('returns the block device mappings without Encrypted, and RegisterImage accepts them as they are', () => {
    // Prepare
    const account = accountWithOldImage();

    // Act
    const { BlockDeviceMappings: mappings } = account.call('ec2', 'DescribeImageAttribute', { ImageId: OLD_IMAGE_ID, Attribute: 'blockDeviceMapping' }) as {
      BlockDeviceMappings: BlockDeviceMapping[];
    };
    const registered = account.call('ec2', 'RegisterImage', { Name: 'copy', RootDeviceName: '/dev/xvda', BlockDeviceMappings: mappings, EnaSupport: true }) as { ImageId: string };

    // Assess
    expect(mappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, SnapshotId: OLD_SNAPSHOT_ID, VolumeSize: 8, VolumeType: 'gp3' } }]);
    expect(account.ec2.image(registered.ImageId)?.BlockDeviceMappings).toEqual(mappings);
  });

  it('returns the boot mode as an attribute value, empty when the image has none', () => {
    // Prepare
    const withMode = accountWithOldImage({ BootMode: 'uefi' });
    const withoutMode = accountWithOldImage({ BootMode: undefined });

    // Act
    const found = withMode.call('ec2', 'DescribeImageAttribute', { ImageId: OLD_IMAGE_ID, Attribute: 'bootMode' });
    const missing = withoutMode.call('ec2', 'DescribeImageAttribute', { ImageId: OLD_IMAGE_ID, Attribute: 'bootMode' });

    // Assess
    expect(found).toMatchObject({ ImageId: OLD_IMAGE_ID, BootMode: { Value: 'uefi' } });
    expect(missing).toMatchObject({ ImageId: OLD_IMAGE_ID });
    expect((missing as { BootMode?: unknown }).BootMode).toEqual({});
  });

  it('refuses an attribute it does not model, and an image that does not exist', () => {
    // Prepare
    const account = accountWithOldImage();

    // Act
    const unmodelled = errorOf(() => account.call('ec2', 'DescribeImageAttribute', { ImageId: OLD_IMAGE_ID, Attribute: 'uefiData' }));
    const missing = errorOf(() => account.call('ec2', 'DescribeImageAttribute', { ImageId: 'ami-0000000000000dead', Attribute: 'blockDeviceMapping' }));

    // Assess
    expect(unmodelled.name).toBe('InvalidParameterValue');
    expect(missing.name).toBe('InvalidAMIID.NotFound');
  });

  it('is served to an SDK client wired to the account', async () => {
    // Prepare
    const account = accountWithOldImage();
    wireEc2Client(ec2Stub, account);
    const client = new EC2Client({ region: 'us-east-1' });

    // Act
    const output = await client.send(new DescribeImageAttributeCommand({ ImageId: OLD_IMAGE_ID, Attribute: 'description' }));

    // Assess
    expect(output.Description).toEqual({ Value: 'Golden Linux image' });
  });
});

describe('RegisterImage', () => {
  it('refuses mappings copied from DescribeImages, whose Encrypted flag EC2 does not accept next to a snapshot', () => {
    // Prepare
    const account = accountWithOldImage();
    const { Images: images } = account.call('ec2', 'DescribeImages', { ImageIds: [OLD_IMAGE_ID] }) as { Images: Image[] };

    // Act
    const error = errorOf(() => account.call('ec2', 'RegisterImage', { Name: 'copy', RootDeviceName: '/dev/xvda', BlockDeviceMappings: images[0]?.BlockDeviceMappings }));

    // Assess
    expect(error.name).toBe('InvalidBlockDeviceMapping');
    expect(error.message).toBe('the encrypted flag cannot be specified since device /dev/xvda has a snapshot specified.');
  });

  it('tags the new image from its TagSpecifications', () => {
    // Prepare
    const account = accountWithOldImage();

    // Act
    const { ImageId: imageId } = account.call('ec2', 'RegisterImage', {
      Name: 'copy',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: OLD_SNAPSHOT_ID } }],
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'ena-guard:replaces', Value: OLD_IMAGE_ID }] }],
    }) as { ImageId: string };

    // Assess
    expect(account.ec2.image(imageId)?.Tags).toEqual([{ Key: 'ena-guard:replaces', Value: OLD_IMAGE_ID }]);
  });

  it('refuses TagSpecifications for anything but the image', () => {
    // Prepare
    const account = accountWithOldImage();

    // Act
    const error = errorOf(() =>
      account.call('ec2', 'RegisterImage', {
        Name: 'copy',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: OLD_SNAPSHOT_ID } }],
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'team', Value: 'payments' }] }],
      }),
    );

    // Assess
    expect(error.name).toBe('InvalidParameterValue');
  });
});

describe('EnableImageDeprecation', () => {
  it('refuses a deprecation time in the past and leaves the image as it was', () => {
    // Prepare
    const account = accountWithOldImage();

    // Act
    const error = errorOf(() => account.call('ec2', 'EnableImageDeprecation', { ImageId: OLD_IMAGE_ID, DeprecateAt: '2026-03-02T08:59:00Z' }));

    // Assess
    expect(error.name).toBe('InvalidParameterValue');
    expect(account.ec2.image(OLD_IMAGE_ID)?.DeprecationTime).toBeUndefined();
  });

  it('accepts a deprecation time later the same day', () => {
    // Prepare
    const account = accountWithOldImage();

    // Act
    account.call('ec2', 'EnableImageDeprecation', { ImageId: OLD_IMAGE_ID, DeprecateAt: '2026-03-02T23:59:00Z' });

    // Assess
    expect(account.ec2.image(OLD_IMAGE_ID)?.DeprecationTime).toBe('2026-03-02T23:59:00.000Z');
  });
});

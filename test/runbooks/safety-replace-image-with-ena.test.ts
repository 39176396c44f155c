/**
 * Safety properties of EnaGuard-ReplaceImageWithEna that the scenario tests of
 * replace-image-with-ena.test.ts did not pin down, found by the runbook mutation suite
 * (docs/mutation-testing.md): how the boot-test instance is launched (IMDSv2 required, nothing left
 * behind), a boot test whose system status check fails, and an AMI that EC2 lists but that is not
 * available. Each test reads what the run did to the account and the calls it made.
 */
import type { BlockDeviceMapping, Image } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { systemCheckImpaired } from '../support/account-doubles.js';
import { BYSTANDER_IDS, OLD_IMAGE_ID, SUBNET_ID, accountFor, launchedInstances, mutations, oldImage, registeredImages, run, tagsOf } from './replace-image-fixtures.js';

/** Lets simulated time run on, so that terminations finish. */
const SETTLE_MS = 10 * 60_000;

describe('EnaGuard-ReplaceImageWithEna launches its boot-test instance', () => {
  it('requiring IMDSv2, terminating itself on shutdown and deleting its root volume with it', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID, BootTestSubnetId: SUBNET_ID });

    // Assess: the simulator does not model instance metadata or volumes, so the launch request is what can be read.
    expect(result.status).toBe('Success');
    const launches = account.calls.calls({ operation: 'RunInstances' });
    expect(launches).toHaveLength(1);
    const input = launches[0]?.input as { MetadataOptions?: { HttpTokens?: string }; InstanceInitiatedShutdownBehavior?: string; BlockDeviceMappings?: BlockDeviceMapping[] };
    expect(input.MetadataOptions?.HttpTokens).toBe('required');
    expect(input.InstanceInitiatedShutdownBehavior).toBe('terminate');
    const root = input.BlockDeviceMappings?.find((mapping) => mapping.DeviceName === oldImage().RootDeviceName);
    expect(root?.Ebs?.DeleteOnTermination).toBe(true);
    expect(input.BlockDeviceMappings?.every((mapping) => mapping.Ebs?.DeleteOnTermination !== false)).toBe(true);
  });
});

describe('EnaGuard-ReplaceImageWithEna when the boot-test host fails its system status check', () => {
  it('fails the boot test: terminates the instance, marks the new AMI failed and leaves the old AMI untouched', async () => {
    // Prepare: the guest boots on ENA (instance check ok), but EC2 reports the host's system check impaired.
    const account = accountFor();
    const oldBefore = account.ec2.image(OLD_IMAGE_ID);
    systemCheckImpaired(account, (id) => !(BYSTANDER_IDS as readonly string[]).includes(id));

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID, BootTestSubnetId: SUBNET_ID });
    account.clock.advance(SETTLE_MS);

    // Assess
    expect(result.status).toBe('Failed');
    const [bootTest] = launchedInstances(account);
    expect(bootTest?.State?.Name).toBe('terminated');
    expect(account.ec2.image(OLD_IMAGE_ID)).toEqual(oldBefore);
    expect(account.calls.calls({ operation: 'EnableImageDeprecation' })).toEqual([]);
    const [created] = registeredImages(account);
    expect(tagsOf(created)['ena-guard:boot-test']).toBe('failed');
  });
});

describe('EnaGuard-ReplaceImageWithEna refuses an AMI that EC2 lists but that is not available', () => {
  it.each<Image['State']>(['failed', 'pending', 'error', 'invalid'])('in the state %s, registering nothing', async (state) => {
    // Prepare
    const account = accountFor({ oldImage: oldImage({ State: state }) });

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toContain(String(state));
    expect(account.calls.calls({ operation: 'RegisterImage' })).toEqual([]);
    expect(mutations(account)).toEqual([]);
  });
});

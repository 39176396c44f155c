/**
 * EnaGuard-ReplaceImageWithEna, run by the simulator exactly as it is deployed: its happy paths
 * (by AMI, by launch template, with and without a boot test), the failing boot test, the no-op
 * paths, every refusal (the exemption tag's included), and a fault matrix over every AWS call it
 * makes.
 */
import type { Image, Instance, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountModel, FaultPoint, FaultRule, SimulationResult } from '../../src/simulator/index.js';
import { ACCOUNT_ID, LINUX_WITHOUT_DRIVER } from '../simulator/fixtures.js';
import {
  BYSTANDER_IDS,
  ENA_IMAGE_ID,
  OLD_IMAGE_ID,
  OLD_IMAGE_TAGS,
  OLD_SNAPSHOT_ID,
  SUBNET_ID,
  TEMPLATE_ID,
  accountFor,
  exemptionTag,
  launchTemplate,
  launchTemplateVersions,
  launchedInstances,
  mutations,
  oldImage,
  registeredImages,
  run,
  stepsRun,
  tagsOf,
  templateNow,
  type Scenario,
} from './replace-image-fixtures.js';

/** Lets simulated time run on, so that terminations and other transitions finish. */
function settle(account: AccountModel, minutes = 10): void {
  account.clock.advance(minutes * 60_000);
}

function onlyRegisteredImage(account: AccountModel): Image {
  const images = registeredImages(account);
  expect(images).toHaveLength(1);
  return images[0] as Image;
}

function onlyLaunchedInstance(account: AccountModel): Instance {
  const instances = launchedInstances(account);
  expect(instances).toHaveLength(1);
  return instances[0] as Instance;
}

function instanceIdsOf(account: AccountModel, operation: 'TerminateInstances' | 'StopInstances'): string[] {
  return account.calls.calls({ operation }).flatMap((call) => (call.input as { InstanceIds?: string[] }).InstanceIds ?? []);
}

describe('EnaGuard-ReplaceImageWithEna given an AMI', () => {
  it('registers an ENA-enabled copy from the same snapshot with the old name, architecture, boot mode and tags, and deprecates the old AMI without deregistering it', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID });

    // Assess
    expect(result.status).toBe('Success');
    const created = onlyRegisteredImage(account);
    expect(created).toMatchObject({
      Name: 'golden-linux-2025.10-ena',
      State: 'available',
      EnaSupport: true,
      Architecture: 'x86_64',
      BootMode: 'legacy-bios',
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      VirtualizationType: 'hvm',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: OLD_SNAPSHOT_ID, VolumeSize: 8, VolumeType: 'gp3', DeleteOnTermination: true } }],
    });
    expect(tagsOf(created)).toEqual({
      Name: 'golden-linux',
      team: 'payments',
      'ena-guard:replaces': OLD_IMAGE_ID,
      'ena-guard:execution-id': result.executionId,
      'ena-guard:boot-test': 'not-run',
      'ena-guard:created-by': 'EnaGuard-ReplaceImageWithEna',
      'ena-guard:ena-image': created.ImageId,
    });
    // Tagged at registration (its role may change only images so tagged), not afterwards.
    expect(account.calls.calls({ operation: 'RegisterImage' })[0]?.input).toMatchObject({
      TagSpecifications: [{ ResourceType: 'image', Tags: expect.arrayContaining([{ Key: 'ena-guard:created-by', Value: 'EnaGuard-ReplaceImageWithEna' }]) }],
    });
    const old = account.ec2.image(OLD_IMAGE_ID);
    expect(old).toMatchObject({ State: 'available', EnaSupport: false, DeprecationTime: '2026-03-02T23:59:00.000Z' });
    expect(tagsOf(old)).toEqual({ Name: 'golden-linux', team: 'payments', 'ena-guard:ena-image': created.ImageId });
    expect(mutations(account)).toEqual(['RegisterImage', 'CreateTags', 'CreateTags', 'EnableImageDeprecation']);
    expect(result.outputs).toEqual({ 'readNewImage.NewImageId': created.ImageId, 'readOldImageDeprecation.DeprecationTime': '2026-03-02T23:59:00.000Z' });
  });

  it('deprecates the old AMI at a time EC2 accepts: later than the call, on the day the automation started', async () => {
    // Prepare
    const account = accountFor();

    // Act
    await run(account, { ImageId: OLD_IMAGE_ID });

    // Assess
    const [call] = account.calls.calls({ operation: 'EnableImageDeprecation' });
    const deprecateAt = Date.parse((call?.input as { DeprecateAt: string }).DeprecateAt);
    expect(deprecateAt).toBeGreaterThan(call?.at.getTime() ?? Number.POSITIVE_INFINITY);
    expect(deprecateAt - (call?.at.getTime() ?? 0)).toBeLessThan(24 * 3600 * 1000);
  });

  it('boot-tests the new AMI on m5.large in the given subnet, then terminates that instance and no other', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID, BootTestSubnetId: SUBNET_ID });
    settle(account);

    // Assess
    expect(result.status).toBe('Success');
    const created = onlyRegisteredImage(account);
    const [launch] = account.calls.calls({ operation: 'RunInstances' });
    expect(launch?.input).toMatchObject({
      ImageId: created.ImageId,
      InstanceType: 'm5.large',
      SubnetId: SUBNET_ID,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: result.executionId,
      TagSpecifications: [{ ResourceType: 'instance', Tags: expect.arrayContaining([{ Key: 'ena-guard:boot-test', Value: 'true' }]) }],
    });
    const bootTest = onlyLaunchedInstance(account);
    expect(bootTest).toMatchObject({ ImageId: created.ImageId, InstanceType: 'm5.large', EnaSupport: true, State: { Name: 'terminated' } });
    expect(instanceIdsOf(account, 'TerminateInstances')).toEqual([bootTest.InstanceId]);
    for (const id of BYSTANDER_IDS) expect(account.ec2.instance(id)?.State?.Name).toBe('running');
    expect(tagsOf(account.ec2.image(created.ImageId ?? ''))['ena-guard:boot-test']).toBe('passed');
    expect(result.outputs).toMatchObject({ 'readBootTestResult.InstanceStatus': 'ok', 'readBootTestResult.SystemStatus': 'ok' });
    expect(account.ec2.image(OLD_IMAGE_ID)?.DeprecationTime).toBe('2026-03-02T23:59:00.000Z');
  });

  it('registers without a boot mode when the old AMI has none, and keeps IMDSv2 required when the old AMI required it', async () => {
    // Prepare
    const account = accountFor({ oldImage: oldImage({ BootMode: undefined, ImdsSupport: 'v2.0' }) });

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID });

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result)).toContain('registerImageWithoutBootMode');
    expect(stepsRun(result)).not.toContain('registerImageWithBootMode');
    const created = onlyRegisteredImage(account);
    expect(created.BootMode).toBeUndefined();
    expect(created.ImdsSupport).toBe('v2.0');
  });

  it('copies the tags of an old AMI that had none: only the replacement it names', async () => {
    // Prepare
    const account = accountFor({ oldImage: oldImage({ Tags: undefined }) });

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID });

    // Assess
    expect(result.status).toBe('Success');
    const created = onlyRegisteredImage(account);
    expect(tagsOf(account.ec2.image(OLD_IMAGE_ID))).toEqual({ 'ena-guard:ena-image': created.ImageId });
    expect(tagsOf(created)).toMatchObject({ 'ena-guard:replaces': OLD_IMAGE_ID, 'ena-guard:ena-image': created.ImageId });
  });

  it('applies a custom name suffix', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID, NameSuffix: '.ena-2026' });

    // Assess
    expect(result.status).toBe('Success');
    expect(onlyRegisteredImage(account).Name).toBe('golden-linux-2025.10.ena-2026');
  });
});

describe('EnaGuard-ReplaceImageWithEna given a launch template', () => {
  it('adds a version based on the default version that launches the new AMI, and leaves the default version alone by default', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID });

    // Assess
    expect(result.status).toBe('Success');
    const created = onlyRegisteredImage(account);
    const { template, versions } = templateNow(account);
    expect(template).toMatchObject({ DefaultVersionNumber: 1, LatestVersionNumber: 3 });
    const added = versions.find((version) => version.VersionNumber === 3);
    // Based on version 1 (the default: m5.large), not version 2 (the latest: c5.xlarge).
    expect(added?.LaunchTemplateData).toMatchObject({
      ImageId: created.ImageId,
      InstanceType: 'm5.large',
      KeyName: 'ops',
      SecurityGroupIds: ['sg-0123456789abcdef0'],
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    });
    expect(account.calls.calls({ operation: 'ModifyLaunchTemplate' })).toEqual([]);
    expect(account.ec2.image(OLD_IMAGE_ID)).toMatchObject({ State: 'available', DeprecationTime: '2026-03-02T23:59:00.000Z' });
    expect(result.outputs).toMatchObject({
      'readReplacementImage.NewImageId': created.ImageId,
      'createTemplateVersion.NewVersionNumber': '3',
      'readTemplateResult.DefaultVersionNumber': '1',
    });
  });

  it('makes the new version the default when MakeNewVersionDefault is true', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID, MakeNewVersionDefault: 'true' });

    // Assess
    expect(result.status).toBe('Success');
    const created = onlyRegisteredImage(account);
    const { template, versions } = templateNow(account);
    expect(template.DefaultVersionNumber).toBe(3);
    expect(versions.find((version) => version.DefaultVersion)?.LaunchTemplateData?.ImageId).toBe(created.ImageId);
    expect(account.calls.calls({ operation: 'ModifyLaunchTemplate' }).map((call) => call.input)).toEqual([{ LaunchTemplateId: TEMPLATE_ID, DefaultVersion: '3' }]);
    expect(result.outputs['readTemplateResult.DefaultVersionNumber']).toBe('3');
  });

  it('boot-tests the template’s new AMI in the nested run and reports the result', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID, BootTestSubnetId: SUBNET_ID, MakeNewVersionDefault: 'true' });
    settle(account);

    // Assess
    expect(result.status).toBe('Success');
    expect(onlyLaunchedInstance(account).State?.Name).toBe('terminated');
    expect(result.outputs['replaceTemplateImage.Output']).toMatchObject({ 'readBootTestResult.InstanceStatus': 'ok' });
    expect(templateNow(account).template.DefaultVersionNumber).toBe(3);
  });

  it('does not make its version the default when someone changed the default version during the run', async () => {
    // Prepare: one minute into the run (during the boot test), someone makes version 2 the default.
    const account = accountFor();
    account.clock.schedule(60_000, () => account.call('ec2', 'ModifyLaunchTemplate', { LaunchTemplateId: TEMPLATE_ID, DefaultVersion: '2' }));

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID, BootTestSubnetId: SUBNET_ID, MakeNewVersionDefault: 'true' });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step assertDefaultVersionUnchanged failed: Property \$\.LaunchTemplates\[0\]\.DefaultVersionNumber is 2; expected one of \["1"\]/);
    expect(templateNow(account).template.DefaultVersionNumber).toBe(2);
  });
});

describe('EnaGuard-ReplaceImageWithEna when the boot test fails', () => {
  it('terminates the boot-test instance, fails naming the impaired status check, marks the new AMI failed and leaves the old AMI untouched', async () => {
    // Prepare
    const account = accountFor({ guest: LINUX_WITHOUT_DRIVER });
    const oldBefore = account.ec2.image(OLD_IMAGE_ID);

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID, BootTestSubnetId: SUBNET_ID });
    settle(account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toBe(
      'Step assertNewImageBootsWithEna failed: Property $.InstanceStatuses[0].InstanceStatus.Status is "impaired"; expected one of ["ok"]',
    );
    const bootTest = onlyLaunchedInstance(account);
    expect(bootTest.State?.Name).toBe('terminated');
    expect(instanceIdsOf(account, 'TerminateInstances')).toEqual([bootTest.InstanceId]);
    for (const id of BYSTANDER_IDS) expect(account.ec2.instance(id)?.State?.Name).toBe('running');
    expect(account.ec2.image(OLD_IMAGE_ID)).toEqual(oldBefore);
    expect(tagsOf(onlyRegisteredImage(account))['ena-guard:boot-test']).toBe('failed');
    expect(result.outputs).toMatchObject({ 'readBootTestResult.InstanceStatus': 'impaired' });
    expect(stepsRun(result).slice(-3)).toEqual(['assertNewImageBootsWithEna', 'terminateBootTestInstanceAfterFailure', 'tagNewImageBootTestFailed']);
  });

  it('leaves the launch template as it was when the template’s new AMI fails its boot test', async () => {
    // Prepare
    const account = accountFor({ guest: LINUX_WITHOUT_DRIVER });
    const before = templateNow(account);

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID, BootTestSubnetId: SUBNET_ID, MakeNewVersionDefault: 'true' });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(
      /^Step replaceTemplateImage failed: Nested automation EnaGuard-ReplaceImageWithEna \(.+\) ended Failed: Step assertNewImageBootsWithEna failed: .* is "impaired"/,
    );
    expect(templateNow(account)).toEqual(before);
    expect(account.calls.calls({ operation: 'CreateLaunchTemplateVersion' })).toEqual([]);
    expect(account.ec2.image(OLD_IMAGE_ID)?.DeprecationTime).toBeUndefined();
  });
});

describe('EnaGuard-ReplaceImageWithEna with nothing to do', () => {
  it('succeeds without changing anything when the AMI already has ENA', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { ImageId: ENA_IMAGE_ID, BootTestSubnetId: SUBNET_ID });

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result)).toEqual(['checkInputs', 'readExemptionTag', 'checkExemption', 'chooseResource', 'readImage', 'checkImageState', 'checkImageEna', 'confirmImageHasEna']);
    expect(mutations(account)).toEqual([]);
  });

  it('succeeds without changing anything when the AMI of the template’s default version already has ENA', async () => {
    // Prepare
    const account = accountFor({ templateVersions: launchTemplateVersions(ENA_IMAGE_ID) });

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID, MakeNewVersionDefault: 'true' });

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).at(-1)).toBe('confirmTemplateImageHasEna');
    expect(mutations(account)).toEqual([]);
  });
});

describe('EnaGuard-ReplaceImageWithEna and the exemption tag, read live', () => {
  const REASON = 'certified image, frozen until the audit; until=2026-06-30';

  it('refuses an exempt AMI', async () => {
    for (const parameters of [{ ImageId: OLD_IMAGE_ID }, { ResourceId: OLD_IMAGE_ID }] as Record<string, string>[]) {
      // Prepare
      const account = accountFor({ oldImage: oldImage({ Tags: [...OLD_IMAGE_TAGS, exemptionTag(REASON)] }) });
      const oldBefore = account.ec2.image(OLD_IMAGE_ID);
      const label = JSON.stringify(parameters);

      // Act
      const result = await run(account, { ...parameters, BootTestSubnetId: SUBNET_ID });

      // Assess
      expect(result.status, label).toBe('Failed');
      expect(result.failureMessage, label).toBe(
        `Step checkExemption failed: Refused - ${OLD_IMAGE_ID} is exempt by tag ena-guard:exempt until 2026-06-30: "certified image, frozen until the audit". Remove the tag, or wait until the exemption expires, to remediate it.`,
      );
      expect(account.calls.calls({ operation: 'DescribeTags' }).map((call) => call.input), label).toEqual([
        { Filters: [{ Name: 'resource-id', Values: [OLD_IMAGE_ID] }, { Name: 'key', Values: ['ena-guard:exempt'] }] },
      ]);
      expect(stepsRun(result), label).toEqual(['checkInputs', 'readExemptionTag', 'checkExemption']);
      expect(mutations(account), label).toEqual([]);
      expect(launchedInstances(account), label).toEqual([]);
      expect(account.ec2.image(OLD_IMAGE_ID), label).toEqual(oldBefore);
    }
  });

  it('refuses an exempt launch template', async () => {
    for (const parameters of [{ LaunchTemplateId: TEMPLATE_ID }, { ResourceId: TEMPLATE_ID }] as Record<string, string>[]) {
      // Prepare
      const account = accountFor({ template: launchTemplate({ Tags: [{ Key: 'team', Value: 'payments' }, exemptionTag(REASON)] }) });
      const templateBefore = templateNow(account);
      const oldBefore = account.ec2.image(OLD_IMAGE_ID);
      const label = JSON.stringify(parameters);

      // Act
      const result = await run(account, { ...parameters, BootTestSubnetId: SUBNET_ID, MakeNewVersionDefault: 'true' });

      // Assess: refused before the template is read, and before its AMI is run on.
      expect(result.status, label).toBe('Failed');
      expect(result.failureMessage, label).toBe(
        `Step checkExemption failed: Refused - ${TEMPLATE_ID} is exempt by tag ena-guard:exempt until 2026-06-30: "certified image, frozen until the audit". Remove the tag, or wait until the exemption expires, to remediate it.`,
      );
      expect(stepsRun(result), label).toEqual(['checkInputs', 'readExemptionTag', 'checkExemption']);
      expect(mutations(account), label).toEqual([]);
      expect(templateNow(account), label).toEqual(templateBefore);
      expect(account.ec2.image(OLD_IMAGE_ID), label).toEqual(oldBefore);
    }
  });

  it('leaves a launch template alone when the AMI it launches is exempt: the nested run refuses it', async () => {
    // Prepare
    const account = accountFor({ oldImage: oldImage({ Tags: [...OLD_IMAGE_TAGS, exemptionTag(REASON)] }) });
    const templateBefore = templateNow(account);

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID, MakeNewVersionDefault: 'true' });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(
      new RegExp(`^Step replaceTemplateImage failed: Nested automation EnaGuard-ReplaceImageWithEna \\(.+\\) ended Failed: Step checkExemption failed: Refused - ${OLD_IMAGE_ID} is exempt by tag ena-guard:exempt`),
    );
    expect(mutations(account)).toEqual([]);
    expect(templateNow(account)).toEqual(templateBefore);
  });

  it('reads the exemption tag key it is given, in the nested run too', async () => {
    // Prepare: the stack's exemption tag key is acme:frozen; the default key on the AMI means nothing here.
    const account = accountFor({ oldImage: oldImage({ Tags: [...OLD_IMAGE_TAGS, { Key: 'acme:frozen', Value: 'change freeze' }, exemptionTag(REASON)] }) });

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID, ExemptionTagKey: 'acme:frozen' });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/ended Failed: Step checkExemption failed: Refused - ami-0a1b2c3d4e5f60718 is exempt by tag acme:frozen: "change freeze"\. Remove the tag to remediate it\.$/);
    const nested = result.trace.find((step) => step.stepName === 'replaceTemplateImage');
    expect(nested?.inputs).toMatchObject({ RuntimeParameters: { ExemptionTagKey: ['acme:frozen'] } });
    expect(mutations(account)).toEqual([]);
  });

  it('goes ahead once the until= date has passed', async () => {
    // Prepare
    const account = accountFor({ oldImage: oldImage({ Tags: [...OLD_IMAGE_TAGS, exemptionTag('certified image; until=2026-03-01')] }) });

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.find((step) => step.stepName === 'checkExemption')?.outputs).toEqual({
      Note: `The exemption of ${OLD_IMAGE_ID} by tag ena-guard:exempt expired after 2026-03-01.`,
    });
    expect(onlyRegisteredImage(account).EnaSupport).toBe(true);
  });
});

interface Refusal {
  readonly name: string;
  readonly scenario: Scenario;
  readonly parameters: Record<string, string>;
  /** The step that refuses, and what its message must say. */
  readonly step: string;
  readonly message: RegExp;
}

const DEREGISTERED = oldImage({ State: 'deregistered' });

const REFUSALS: Refusal[] = [
  {
    name: 'an instance-store AMI',
    scenario: { oldImage: oldImage({ RootDeviceType: 'instance-store', RootDeviceName: '/dev/sda1', BlockDeviceMappings: [{ DeviceName: 'sdb', VirtualName: 'ephemeral0' }] }) },
    parameters: { ImageId: OLD_IMAGE_ID },
    step: 'refuseInstanceStoreImage',
    message: /RootDeviceType is "instance-store"; expected one of \["ebs \(an instance-store AMI has no EBS snapshots, so it cannot be re-registered from them/,
  },
  {
    name: 'a paravirtual (PV) AMI',
    scenario: { oldImage: oldImage({ VirtualizationType: 'paravirtual' }) },
    parameters: { ImageId: OLD_IMAGE_ID },
    step: 'refuseParavirtualImage',
    message: /VirtualizationType is "paravirtual"; expected one of \["hvm \(a paravirtual AMI cannot use ENA at all/,
  },
  {
    name: 'an AMI that does not exist',
    scenario: { oldImage: null },
    parameters: { ImageId: OLD_IMAGE_ID },
    step: 'refuseMissingImage',
    message: /InvalidAMIID\.NotFound.*does not exist/,
  },
  {
    name: 'a deregistered AMI',
    scenario: { oldImage: DEREGISTERED },
    parameters: { ImageId: OLD_IMAGE_ID },
    step: 'refuseMissingImage',
    message: /InvalidAMIID\.NotFound/,
  },
  {
    name: 'none of ResourceId, ImageId and LaunchTemplateId',
    scenario: {},
    parameters: {},
    step: 'refuseNoResourceGiven',
    message: /is null; expected one of \["a ResourceId, an ImageId or a LaunchTemplateId: give exactly one"\]/,
  },
  {
    name: 'both ImageId and LaunchTemplateId',
    scenario: {},
    parameters: { ImageId: OLD_IMAGE_ID, LaunchTemplateId: TEMPLATE_ID },
    step: 'refuseMoreThanOneResourceGiven',
    message: /one of ResourceId, ImageId and LaunchTemplateId, not several: give exactly one/,
  },
  {
    name: 'a launch template whose AMI is deregistered',
    scenario: { oldImage: DEREGISTERED },
    parameters: { LaunchTemplateId: TEMPLATE_ID, MakeNewVersionDefault: 'true' },
    step: 'refuseTemplateWhoseImageIsGone',
    message: new RegExp(`ImageId is "${OLD_IMAGE_ID}"; expected one of \\["an available AMI .*point the template at an ENA-enabled AMI by hand`),
  },
  {
    name: 'a launch template whose AMI never existed',
    scenario: { oldImage: null },
    parameters: { LaunchTemplateId: TEMPLATE_ID },
    step: 'refuseTemplateWhoseImageIsGone',
    message: /expected one of \["an available AMI/,
  },
  {
    name: 'a launch template whose default version names no AMI',
    scenario: { templateVersions: launchTemplateVersions(null) },
    parameters: { LaunchTemplateId: TEMPLATE_ID },
    step: 'refuseTemplateWithoutImage',
    message: /ImageId is null; expected one of \["an AMI ID in the default version/,
  },
  {
    name: 'a launch template that takes its AMI from an SSM parameter',
    scenario: { templateVersions: launchTemplateVersions('resolve:ssm:/golden/linux/latest') },
    parameters: { LaunchTemplateId: TEMPLATE_ID },
    step: 'refuseTemplateImageFromSsmParameter',
    message: /is "resolve:ssm:\/golden\/linux\/latest"; expected one of \["an AMI ID \(the default version takes its AMI from an SSM parameter/,
  },
  {
    name: 'an AMI owned by another account',
    scenario: { oldImage: oldImage({ OwnerId: '210987654321' }) },
    parameters: { ImageId: OLD_IMAGE_ID },
    step: 'refuseImageOfAnotherAccount',
    message: new RegExp(`OwnerId is "210987654321"; expected one of \\["${ACCOUNT_ID} \\(only the owner can re-register`),
  },
  {
    name: 'a Windows AMI (its billing product code would be lost)',
    scenario: { oldImage: oldImage({ Platform: 'windows' as Image['Platform'], PlatformDetails: 'Windows', UsageOperation: 'RunInstances:0002' }) },
    parameters: { ImageId: OLD_IMAGE_ID },
    step: 'refuseImageWithBillingProduct',
    message: /PlatformDetails is "Windows"; expected one of \["Linux\/UNIX \(an AMI registered from snapshots loses the billing product code/,
  },
  {
    name: 'a RHEL AMI (its billing product code would be lost)',
    scenario: { oldImage: oldImage({ PlatformDetails: 'Red Hat Enterprise Linux', UsageOperation: 'RunInstances:0010' }) },
    parameters: { ImageId: OLD_IMAGE_ID },
    step: 'refuseImageWithBillingProduct',
    message: /PlatformDetails is "Red Hat Enterprise Linux"/,
  },
  {
    name: 'an AMI with NitroTPM',
    scenario: { oldImage: oldImage({ BootMode: 'uefi', TpmSupport: 'v2.0' }) },
    parameters: { ImageId: OLD_IMAGE_ID },
    step: 'refuseNitroTpmImage',
    message: /TpmSupport is "v2.0"; expected one of \["no TpmSupport/,
  },
  {
    name: 'a boot-test instance type that does not require ENA',
    scenario: {},
    parameters: { ImageId: OLD_IMAGE_ID, BootTestSubnetId: SUBNET_ID, BootTestInstanceType: 'r4.large' },
    step: 'refuseBootTestTypeWithoutRequiredEna',
    message: /EnaSupport is "supported"; expected one of \["required \(the boot test proves/,
  },
];

describe('EnaGuard-ReplaceImageWithEna refusals', () => {
  it.each(REFUSALS)('refuses $name before changing anything, saying why', async ({ scenario, parameters, step, message }) => {
    // Prepare
    const account = accountFor(scenario);
    const oldBefore = account.ec2.image(OLD_IMAGE_ID);
    const templateBefore = templateNow(account);

    // Act
    const result = await run(account, parameters);

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(new RegExp(`^Step ${step} failed: `));
    expect(result.failureMessage).toMatch(message);
    expect(stepsRun(result).at(-1)).toBe(step);
    expect(mutations(account)).toEqual([]);
    expect(account.ec2.image(OLD_IMAGE_ID)).toEqual(oldBefore);
    expect(templateNow(account)).toEqual(templateBefore);
  });

  it('fails with EC2’s own message when the launch template does not exist', async () => {
    // Prepare
    const account = accountFor({ template: null });

    // Act
    const result = await run(account, { LaunchTemplateId: TEMPLATE_ID });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step readLaunchTemplate failed: An error occurred \(InvalidLaunchTemplateId\.NotFound\)/);
    expect(mutations(account)).toEqual([]);
  });

  it('fails at RegisterImage, naming the AMI left by an earlier run, when the new name is taken', async () => {
    // Prepare
    const leftover = oldImage({ ImageId: 'ami-0deadbeef0000001', Name: 'golden-linux-2025.10-ena', EnaSupport: true, Tags: [{ Key: 'ena-guard:boot-test', Value: 'failed' }] });
    const account = accountFor({ extraImages: [leftover] });

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step registerImageWithBootMode failed: .*InvalidAMIName\.Duplicate.*ami-0deadbeef0000001/);
    expect(mutations(account)).toEqual([]);
  });

  it('fails at the deprecation, after registering the new AMI, when the run crosses midnight UTC', async () => {
    // Prepare: the boot test takes minutes, the automation starts two minutes before midnight.
    const account = accountFor({ startTime: '2026-03-02T23:58:00.000Z' });

    // Act
    const result = await run(account, { ImageId: OLD_IMAGE_ID, BootTestSubnetId: SUBNET_ID });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step deprecateOldImage failed: .*DeprecateAt 2026-03-02T23:59:00.000Z is in the past/);
    expect(account.ec2.image(OLD_IMAGE_ID)?.State).toBe('available');
    expect(account.ec2.image(OLD_IMAGE_ID)?.DeprecationTime).toBeUndefined();
    expect(onlyRegisteredImage(account).EnaSupport).toBe(true);
  });
});

// ---- Fault matrix ---------------------------------------------------------------------------------

interface Matrix {
  readonly name: string;
  readonly scenario: Scenario;
  readonly parameters: Record<string, string>;
  /** The boot test of this scenario cannot pass: the run must never succeed. */
  readonly bootTestFails: boolean;
}

const MATRIX_PARAMETERS = { LaunchTemplateId: TEMPLATE_ID, BootTestSubnetId: SUBNET_ID, MakeNewVersionDefault: 'true' };

const MATRICES: Matrix[] = [
  { name: 'a launch template, boot test passing, new version made default', scenario: {}, parameters: MATRIX_PARAMETERS, bootTestFails: false },
  { name: 'a launch template, boot test failing (guest without a driver)', scenario: { guest: LINUX_WITHOUT_DRIVER }, parameters: MATRIX_PARAMETERS, bootTestFails: true },
];

/** What must hold after any run, whatever failed. */
function assertInvariants(account: AccountModel, result: SimulationResult, matrix: Matrix, label: string): void {
  settle(account);
  const launched = launchedInstances(account);
  const launchedIds = launched.map((instance) => instance.InstanceId ?? '');

  // The old AMI is never deregistered.
  expect(account.calls.calls({ operation: 'DeregisterImage' }), `${label}: no DeregisterImage`).toEqual([]);
  expect(account.ec2.image(OLD_IMAGE_ID)?.State, `${label}: the old AMI is available`).toBe('available');

  // No instance other than the boot-test instance is ever terminated (or stopped).
  expect(launched.length, `${label}: at most one boot-test instance`).toBeLessThanOrEqual(1);
  for (const instance of launched) expect(tagsOf(instance)['ena-guard:boot-test'], `${label}: the boot-test instance is tagged`).toBe('true');
  for (const id of [...instanceIdsOf(account, 'TerminateInstances'), ...instanceIdsOf(account, 'StopInstances')]) {
    expect(launchedIds, `${label}: only the boot-test instance is terminated or stopped`).toContain(id);
  }
  for (const id of BYSTANDER_IDS) expect(account.ec2.instance(id)?.State?.Name, `${label}: bystander ${id} runs`).toBe('running');

  // No boot-test instance is left running.
  for (const instance of launched) expect(['pending', 'running'], `${label}: boot-test instance ${instance.InstanceId} is not running`).not.toContain(instance.State?.Name);

  // The default version changes only when asked, and only to a version whose AMI has ENA.
  const { template, versions } = templateNow(account);
  if (template.DefaultVersionNumber !== 1) {
    expect(matrix.parameters.MakeNewVersionDefault, `${label}: asked to change the default`).toBe('true');
    const current: LaunchTemplateVersion | undefined = versions.find((version) => version.VersionNumber === template.DefaultVersionNumber);
    const imageId = current?.LaunchTemplateData?.ImageId ?? '';
    expect(account.ec2.image(imageId)?.EnaSupport, `${label}: the default version's AMI ${imageId} has ENA`).toBe(true);
  }

  if (matrix.bootTestFails) {
    expect(result.status, `${label}: a failing boot test never succeeds`).not.toBe('Success');
    expect(template.DefaultVersionNumber, `${label}: the default version is kept`).toBe(1);
    expect(account.ec2.image(OLD_IMAGE_ID)?.DeprecationTime, `${label}: the old AMI is not deprecated`).toBeUndefined();
  }
  if (result.status === 'Success') {
    expect(template.DefaultVersionNumber, `${label}: success means the new version is the default`).toBe(3);
    expect(launched, `${label}: success means the boot test ran`).toHaveLength(1);
  }
}

function faultOnce(point: FaultPoint): FaultRule {
  return { service: point.service, operation: point.operation, fromAttempt: point.attempt, times: 1, code: 'InternalError' };
}

function faultAlways(point: FaultPoint): FaultRule {
  return { service: point.service, operation: point.operation, fromAttempt: point.attempt, times: 'always', code: 'InternalError' };
}

describe.each(MATRICES)('EnaGuard-ReplaceImageWithEna fault matrix: $name', (matrix) => {
  let points: readonly FaultPoint[] = [];

  beforeAll(async () => {
    const clean = accountFor(matrix.scenario);
    await run(clean, matrix.parameters);
    points = clean.calls.faultPoints();
  });

  it('has a fault point for every API call of the clean run', () => {
    expect(points.length).toBeGreaterThan(40);
    expect(new Set(points.map((point) => point.operation))).toEqual(
      new Set([
        'DescribeTags',
        'DescribeLaunchTemplates',
        'DescribeLaunchTemplateVersions',
        'DescribeImages',
        'DescribeInstanceTypes',
        'DescribeImageAttribute',
        'RegisterImage',
        'RunInstances',
        'DescribeInstanceStatus',
        'TerminateInstances',
        'DescribeInstances',
        'CreateTags',
        ...(matrix.bootTestFails ? [] : ['EnableImageDeprecation', 'CreateLaunchTemplateVersion', 'ModifyLaunchTemplate']),
      ]),
    );
  });

  it('keeps every invariant, and still reaches the clean run’s outcome, when any one call fails once', async () => {
    for (const point of points) {
      const account = accountFor({ ...matrix.scenario, faults: [faultOnce(point)] });
      const result = await run(account, matrix.parameters);
      const label = `${point.service}:${point.operation}#${point.attempt} once`;
      assertInvariants(account, result, matrix, label);
      expect(result.status, `${label}: one transient failure does not change the outcome`).toBe(matrix.bootTestFails ? 'Failed' : 'Success');
    }
  });

  it('keeps every invariant when a call fails from some point on', async () => {
    for (const point of points) {
      const account = accountFor({ ...matrix.scenario, faults: [faultAlways(point)] });
      const result = await run(account, matrix.parameters);
      assertInvariants(account, result, matrix, `${point.service}:${point.operation}#${point.attempt} always`);
    }
  });
});

/**
 * EnaGuard-ReplaceImageWithEna given ResourceId, the one parameter AWS Config remediation fills
 * (RESOURCE_ID): an AMI id (`AWS::EC2::Image` evaluations) runs exactly as ImageId would, a launch
 * template id (`AWS::EC2::LaunchTemplate`) exactly as LaunchTemplateId would. Giving it with
 * another of the three is refused before anything changes, any other id is refused by its
 * pattern, and a nested run that fails fails the run.
 */
import type { Image } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { ParameterError, type AccountModel, type SimulationResult, type StepTrace } from '../../src/simulator/index.js';
import {
  BYSTANDER_IDS,
  OLD_IMAGE_ID,
  SUBNET_ID,
  TEMPLATE_ID,
  accountFor,
  mutations,
  oldImage,
  registeredImages,
  run,
  stepsRun,
  tagsOf,
  templateNow,
  type Scenario,
} from './replace-image-fixtures.js';

/** The branches that read the resource parameters themselves, whose inputs differ by which parameter was given. */
const PARAMETER_BRANCHES = new Set(['checkInputs', 'chooseResource']);

/** What a step did, without its timing (for the parameter branches, only where they went). */
function stepRecord(step: StepTrace): unknown {
  if (PARAMETER_BRANCHES.has(step.stepName)) return { stepName: step.stepName, status: step.status, nextStep: step.nextStep };
  return { stepName: step.stepName, status: step.status, inputs: step.inputs, outputs: step.outputs, failureMessage: step.failureMessage, children: step.children?.map(stepRecord) };
}

/** Everything a run did: its outcome, its steps (the parameter branches by where they went), and every AWS call. */
function behaviour(account: AccountModel, result: SimulationResult): unknown {
  return {
    status: result.status,
    failureMessage: result.failureMessage,
    outputs: result.outputs,
    steps: result.trace.map(stepRecord),
    calls: account.calls.calls().map((call) => ({ operation: call.operation, input: call.input, output: call.output, error: call.error })),
  };
}

/** Runs the same scenario twice, on fresh accounts: once with `reference`, once with `viaResourceId`. */
async function runBoth(scenario: Scenario, reference: Record<string, string>, viaResourceId: Record<string, string>) {
  const referenceAccount = accountFor(scenario);
  const referenceResult = await run(referenceAccount, reference);
  const account = accountFor(scenario);
  const result = await run(account, viaResourceId);
  return { referenceAccount, referenceResult, account, result };
}

function onlyRegisteredImage(account: AccountModel): Image {
  const images = registeredImages(account);
  expect(images).toHaveLength(1);
  return images[0] as Image;
}

describe('EnaGuard-ReplaceImageWithEna given ResourceId=ami-…', () => {
  it('replaces the AMI exactly as ImageId does: the same new AMI, tags, deprecation, calls and outputs', async () => {
    // Act
    const { referenceAccount, referenceResult, account, result } = await runBoth({}, { ImageId: OLD_IMAGE_ID }, { ResourceId: OLD_IMAGE_ID });

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).slice(0, 5)).toEqual(['checkInputs', 'readExemptionTag', 'checkExemption', 'chooseResource', 'readImage']);
    expect(behaviour(account, result)).toEqual(behaviour(referenceAccount, referenceResult));
    const created = onlyRegisteredImage(account);
    expect(created).toEqual(onlyRegisteredImage(referenceAccount));
    expect(created).toMatchObject({ Name: 'golden-linux-2025.10-ena', EnaSupport: true, Description: expect.stringContaining(`ENA-enabled copy of ${OLD_IMAGE_ID} `) });
    expect(tagsOf(created)).toEqual({
      Name: 'golden-linux',
      team: 'payments',
      'ena-guard:replaces': OLD_IMAGE_ID,
      'ena-guard:execution-id': result.executionId,
      'ena-guard:boot-test': 'not-run',
      'ena-guard:created-by': 'EnaGuard-ReplaceImageWithEna',
      'ena-guard:ena-image': created.ImageId,
    });
    const old = account.ec2.image(OLD_IMAGE_ID);
    expect(old).toEqual(referenceAccount.ec2.image(OLD_IMAGE_ID));
    expect(old).toMatchObject({ State: 'available', DeprecationTime: '2026-03-02T23:59:00.000Z' });
    expect(tagsOf(old)['ena-guard:ena-image']).toBe(created.ImageId);
    expect(result.outputs).toEqual({ 'readNewImage.NewImageId': created.ImageId, 'readOldImageDeprecation.DeprecationTime': '2026-03-02T23:59:00.000Z' });
  });

  it('boot-tests the new AMI exactly as ImageId does', async () => {
    // Act
    const { referenceAccount, referenceResult, account, result } = await runBoth(
      {},
      { ImageId: OLD_IMAGE_ID, BootTestSubnetId: SUBNET_ID },
      { ResourceId: OLD_IMAGE_ID, BootTestSubnetId: SUBNET_ID },
    );

    // Assess
    expect(result.status).toBe('Success');
    expect(behaviour(account, result)).toEqual(behaviour(referenceAccount, referenceResult));
    expect(result.outputs).toMatchObject({ 'readBootTestResult.InstanceStatus': 'ok', 'readBootTestResult.SystemStatus': 'ok' });
    for (const id of BYSTANDER_IDS) expect(account.ec2.instance(id)?.State?.Name).toBe('running');
  });

  it('refuses a paravirtual AMI exactly as ImageId does, changing nothing', async () => {
    // Act
    const { referenceAccount, referenceResult, account, result } = await runBoth(
      { oldImage: oldImage({ VirtualizationType: 'paravirtual' }) },
      { ImageId: OLD_IMAGE_ID },
      { ResourceId: OLD_IMAGE_ID },
    );

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step refuseParavirtualImage failed: .*VirtualizationType is "paravirtual"/);
    expect(behaviour(account, result)).toEqual(behaviour(referenceAccount, referenceResult));
    expect(mutations(account)).toEqual([]);
  });
});

describe('EnaGuard-ReplaceImageWithEna given ResourceId=lt-…', () => {
  it('adds a template version on the new AMI and makes it the default exactly as LaunchTemplateId does', async () => {
    // Act
    const { referenceAccount, referenceResult, account, result } = await runBoth(
      {},
      { LaunchTemplateId: TEMPLATE_ID, MakeNewVersionDefault: 'true' },
      { ResourceId: TEMPLATE_ID, MakeNewVersionDefault: 'true' },
    );

    // Assess
    expect(result.status).toBe('Success');
    expect(stepsRun(result).slice(0, 5)).toEqual(['checkInputs', 'readExemptionTag', 'checkExemption', 'chooseResource', 'readLaunchTemplate']);
    expect(behaviour(account, result)).toEqual(behaviour(referenceAccount, referenceResult));
    const created = onlyRegisteredImage(account);
    const { template, versions } = templateNow(account);
    expect({ template, versions }).toEqual(templateNow(referenceAccount));
    expect(template).toMatchObject({ DefaultVersionNumber: 3, LatestVersionNumber: 3 });
    expect(versions.find((version) => version.VersionNumber === 3)?.LaunchTemplateData).toMatchObject({ ImageId: created.ImageId, InstanceType: 'm5.large' });
    expect(account.ec2.image(OLD_IMAGE_ID)?.DeprecationTime).toBe('2026-03-02T23:59:00.000Z');
    expect(result.outputs).toMatchObject({
      'readReplacementImage.NewImageId': created.ImageId,
      'createTemplateVersion.NewVersionNumber': '3',
      'readTemplateResult.DefaultVersionNumber': '3',
    });
  });

  it('runs itself on the template’s AMI with ImageId only, so the nested run takes the AMI path', async () => {
    // Prepare
    const account = accountFor();

    // Act
    const result = await run(account, { ResourceId: TEMPLATE_ID });

    // Assess
    expect(result.status).toBe('Success');
    const nested = result.trace.find((step) => step.stepName === 'replaceTemplateImage');
    expect(nested?.inputs).toMatchObject({ DocumentName: 'EnaGuard-ReplaceImageWithEna', RuntimeParameters: { ImageId: [OLD_IMAGE_ID] } });
    expect(Object.keys((nested?.inputs as { RuntimeParameters: Record<string, unknown> }).RuntimeParameters)).not.toContain('ResourceId');
    expect(nested?.children?.map((step) => step.stepName).slice(0, 5)).toEqual(['checkInputs', 'readExemptionTag', 'checkExemption', 'chooseResource', 'readImage']);
  });

  it('fails when the nested run on the template’s AMI fails (a paravirtual AMI, refused), leaving the template and the AMI as they were', async () => {
    // Prepare
    const account = accountFor({ oldImage: oldImage({ VirtualizationType: 'paravirtual' }) });
    const templateBefore = templateNow(account);
    const oldBefore = account.ec2.image(OLD_IMAGE_ID);

    // Act
    const result = await run(account, { ResourceId: TEMPLATE_ID, MakeNewVersionDefault: 'true' });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(
      /^Step replaceTemplateImage failed: Nested automation EnaGuard-ReplaceImageWithEna \(.+\) ended Failed: Step refuseParavirtualImage failed: .*VirtualizationType is "paravirtual"/,
    );
    expect(stepsRun(result).at(-1)).toBe('refuseParavirtualImage');
    expect(mutations(account)).toEqual([]);
    expect(templateNow(account)).toEqual(templateBefore);
    expect(account.ec2.image(OLD_IMAGE_ID)).toEqual(oldBefore);
  });
});

describe('EnaGuard-ReplaceImageWithEna given ResourceId with another resource', () => {
  it.each([
    ['ImageId', { ResourceId: OLD_IMAGE_ID, ImageId: OLD_IMAGE_ID }],
    ['ImageId naming another AMI', { ResourceId: 'ami-0f9e8d7c6b5a40312', ImageId: OLD_IMAGE_ID }],
    ['LaunchTemplateId', { ResourceId: TEMPLATE_ID, LaunchTemplateId: TEMPLATE_ID }],
    ['ImageId, ResourceId being a template', { ResourceId: TEMPLATE_ID, ImageId: OLD_IMAGE_ID }],
    ['LaunchTemplateId, ResourceId being an AMI', { ResourceId: OLD_IMAGE_ID, LaunchTemplateId: TEMPLATE_ID }],
    ['both ImageId and LaunchTemplateId', { ResourceId: OLD_IMAGE_ID, ImageId: OLD_IMAGE_ID, LaunchTemplateId: TEMPLATE_ID }],
  ])('refuses ResourceId with %s before changing anything, saying to give exactly one', async (_name, parameters) => {
    // Prepare
    const account = accountFor();
    const oldBefore = account.ec2.image(OLD_IMAGE_ID);
    const templateBefore = templateNow(account);

    // Act
    const result = await run(account, { ...parameters, BootTestSubnetId: SUBNET_ID, MakeNewVersionDefault: 'true' });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step refuseMoreThanOneResourceGiven failed: .*expected one of \["one of ResourceId, ImageId and LaunchTemplateId, not several: give exactly one"\]/);
    expect(stepsRun(result)).toEqual(['checkInputs', 'refuseMoreThanOneResourceGiven']);
    expect(mutations(account)).toEqual([]);
    expect(account.ec2.image(OLD_IMAGE_ID)).toEqual(oldBefore);
    expect(templateNow(account)).toEqual(templateBefore);
  });

  it.each(['111122223333', 'i-0123456789abcdef0', 'ami-XYZ', `arn:aws:ec2:us-east-1:123456789012:image/${OLD_IMAGE_ID}`])(
    'refuses ResourceId %s by its pattern, before the first step',
    async (resourceId) => {
      // Prepare
      const account = accountFor();

      // Act
      const running = run(account, { ResourceId: resourceId });

      // Assess
      await expect(running).rejects.toThrow(ParameterError);
      await expect(running).rejects.toThrow(/^Parameter ResourceId: value .* does not match allowedPattern/);
      expect(account.calls.calls()).toEqual([]);
    },
  );
});

/**
 * `ena-guard simulate EnaGuard-ReplaceImageWithEna` over the demo fleet, with the parameter AWS
 * Config remediation fills (ResourceId: an AMI or a launch template) and with ImageId and
 * LaunchTemplateId, and the demo AMI ids the runbook's patterns must accept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEMO_FLEET, EXIT, main } from '../../src/cli/main.js';
import { AUTOMATION_DOCS } from '../../src/cli/simulate.js';

const RUNBOOK = 'EnaGuard-ReplaceImageWithEna';
/** legacy-centos6-2019.04: Linux/UNIX, HVM, EBS-backed, owned, no ENA; reporting-db's AMI. */
const AMI_WITHOUT_ENA = 'ami-0a3c0ffee00000003';
/** windows-2012r2-erp-2018.09: no ENA, Windows billing (refused). */
const WINDOWS_AMI_WITHOUT_ENA = 'ami-0a3c0ffee00000013';
/** legacy-ftp-pv-2013.02: no ENA, paravirtual (refused). */
const PARAVIRTUAL_AMI = 'ami-0a3c0ffee00000021';
/** reporting-db: default version 3 launches AMI_WITHOUT_ENA. */
const TEMPLATE_ON_AMI_WITHOUT_ENA = 'lt-0a1b2c3d4e5f60702';
/** legacy-ftp: default version 1 launches PARAVIRTUAL_AMI. */
const TEMPLATE_ON_PARAVIRTUAL_AMI = 'lt-0a1b2c3d4e5f60703';

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

interface JsonReport {
  readonly status: string;
  readonly failureMessage?: string;
  readonly outputs: Record<string, unknown>;
  readonly trace: { stepName: string }[];
  readonly changes: string[];
}

/** Every string in the demo snapshot files that starts with `ami-`, with the file it is in. */
function demoImageIds(): { file: string; id: string }[] {
  const found: { file: string; id: string }[] = [];
  const visit = (file: string, value: unknown): void => {
    if (typeof value === 'string' && value.startsWith('ami-')) found.push({ file, id: value });
    else if (Array.isArray(value)) value.forEach((item) => visit(file, item));
    else if (value !== null && typeof value === 'object') Object.values(value).forEach((item) => visit(file, item));
  };
  for (const entry of readdirSync(DEMO_FLEET, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.json')) visit(entry, JSON.parse(readFileSync(join(DEMO_FLEET, entry), 'utf8')));
  }
  return found;
}

describe('ena-guard simulate EnaGuard-ReplaceImageWithEna --param ResourceId=ami-…', () => {
  it('registers an ENA-enabled copy of a demo AMI without ENA, reports the new AMI, and exits 0', async () => {
    // Act
    const result = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', `ResourceId=${AMI_WITHOUT_ENA}`);

    // Assess
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toContain(`Simulated ${RUNBOOK} (nothing in AWS was called)`);
    expect(result.stdout).toContain('Outcome: Success');
    const newImageId = /Outputs: readNewImage\.NewImageId="(ami-[a-f0-9]{17})"/.exec(result.stdout)?.[1];
    expect(newImageId).toBeDefined();
    expect(newImageId).not.toBe(AMI_WITHOUT_ENA);
    expect(result.stdout).toMatch(/ec2:RegisterImage \{"Name":"legacy-centos6-2019\.04-ena",.*"EnaSupport":true/);
    expect(result.stdout).toContain(`ec2:CreateTags {"Resources":["${AMI_WITHOUT_ENA}"],"Tags":[{"Key":"ena-guard:ena-image","Value":"${newImageId}"}]}`);
    expect(result.stdout).toMatch(new RegExp(`ec2:EnableImageDeprecation \\{"ImageId":"${AMI_WITHOUT_ENA}","DeprecateAt":"\\d{4}-\\d{2}-\\d{2}T23:59:00Z"\\}`));
    expect(result.stdout).not.toContain('DeregisterImage');
  });

  it('gives the same run as ImageId, as JSON', async () => {
    // Act
    const viaResourceId = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', `ResourceId=${AMI_WITHOUT_ENA}`, '--format', 'json');
    const viaImageId = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', `ImageId=${AMI_WITHOUT_ENA}`, '--format', 'json');

    // Assess
    const report = JSON.parse(viaResourceId.stdout) as JsonReport;
    const reference = JSON.parse(viaImageId.stdout) as JsonReport;
    expect(report.status).toBe('Success');
    expect(report.outputs).toEqual(reference.outputs);
    expect(report.outputs['readNewImage.NewImageId']).toMatch(/^ami-[a-f0-9]{17}$/);
    expect(report.changes).toEqual(reference.changes);
    expect(report.changes.map((change) => change.split(' ')[0])).toEqual(['ec2:RegisterImage', 'ec2:CreateTags', 'ec2:CreateTags', 'ec2:EnableImageDeprecation']);
    expect(report.trace.map((step) => step.stepName)).toEqual(reference.trace.map((step) => step.stepName));
  });

  it.each([
    [WINDOWS_AMI_WITHOUT_ENA, 'refuseImageWithBillingProduct'],
    [PARAVIRTUAL_AMI, 'refuseParavirtualImage'],
  ])('shows the refusal for demo AMI %s (%s), changes nothing, and exits 4', async (imageId, step) => {
    // Act
    const result = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', `ResourceId=${imageId}`);

    // Assess
    expect(result.code).toBe(EXIT.simulationFailed);
    expect(result.stdout).toMatch(new RegExp(`Outcome: Failed - Step ${step} failed: `));
    expect(result.stdout).toContain('Changes it would make: none');
  });

  it('refuses a ResourceId that is neither an AMI nor a launch template (the account id) and exits 1', async () => {
    // Act
    const result = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', 'ResourceId=111122223333');

    // Assess
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('Parameter ResourceId: value "111122223333" does not match allowedPattern');
  });

});

describe('ena-guard simulate EnaGuard-ReplaceImageWithEna on a demo launch template', () => {
  it.each(['LaunchTemplateId', 'ResourceId'])(
    'with %s: replaces the template’s AMI in a nested run, adds a default version on the new AMI, reports both, and exits 0',
    async (parameter) => {
      // Act
      const result = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', `${parameter}=${TEMPLATE_ON_AMI_WITHOUT_ENA}`, '--param', 'MakeNewVersionDefault=true');

      // Assess
      expect(result.code).toBe(EXIT.ok);
      expect(result.stdout).toContain('Outcome: Success');
      expect(result.stdout).toMatch(/Success\s+replaceTemplateImage \(aws:executeAutomation\)/);
      const newImageId = /Outputs: readReplacementImage\.NewImageId="(ami-[a-f0-9]{17})"/.exec(result.stdout)?.[1];
      expect(newImageId).toBeDefined();
      expect(newImageId).not.toBe(AMI_WITHOUT_ENA);
      expect(result.stdout).toContain('createTemplateVersion.NewVersionNumber="4", readTemplateResult.DefaultVersionNumber="4"');
      expect(result.stdout).toMatch(new RegExp(`ec2:CreateLaunchTemplateVersion \\{"LaunchTemplateId":"${TEMPLATE_ON_AMI_WITHOUT_ENA}","SourceVersion":"3",.*"LaunchTemplateData":\\{"ImageId":"${newImageId}"\\}\\}`));
      expect(result.stdout).toContain(`ec2:ModifyLaunchTemplate {"LaunchTemplateId":"${TEMPLATE_ON_AMI_WITHOUT_ENA}","DefaultVersion":"4"}`);
      expect(result.stdout).toContain(`ec2:EnableImageDeprecation {"ImageId":"${AMI_WITHOUT_ENA}",`);
    },
  );

  it('gives the same run with ResourceId=lt-… as with LaunchTemplateId, as JSON', async () => {
    // Act
    const viaResourceId = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', `ResourceId=${TEMPLATE_ON_AMI_WITHOUT_ENA}`, '--format', 'json');
    const viaTemplateId = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', `LaunchTemplateId=${TEMPLATE_ON_AMI_WITHOUT_ENA}`, '--format', 'json');

    // Assess
    const report = JSON.parse(viaResourceId.stdout) as JsonReport;
    const reference = JSON.parse(viaTemplateId.stdout) as JsonReport;
    expect(report.status).toBe('Success');
    expect(report.outputs).toEqual(reference.outputs);
    expect(report.changes).toEqual(reference.changes);
    expect(report.changes.map((change) => change.split(' ')[0])).toEqual([
      'ec2:RegisterImage',
      'ec2:CreateTags',
      'ec2:CreateTags',
      'ec2:EnableImageDeprecation',
      'ec2:CreateLaunchTemplateVersion',
    ]);
  });

  it('fails when the nested run refuses the template’s paravirtual AMI, changes nothing, and exits 4', async () => {
    // Act
    const result = await cli('simulate', RUNBOOK, '--snapshot', DEMO_FLEET, '--param', `ResourceId=${TEMPLATE_ON_PARAVIRTUAL_AMI}`);

    // Assess
    expect(result.code).toBe(EXIT.simulationFailed);
    expect(result.stdout).toMatch(/Outcome: Failed - Step replaceTemplateImage failed: Nested automation EnaGuard-ReplaceImageWithEna \(.+\) ended Failed: Step refuseParavirtualImage failed: /);
    expect(result.stdout).toContain('Changes it would make: none');
  });
});

describe('the demo fleet’s AMI ids', () => {
  it('are all valid EC2 AMI ids that the runbook accepts as ImageId and as ResourceId', () => {
    // Prepare
    const document = parse(readFileSync(join(AUTOMATION_DOCS, `${RUNBOOK}.yaml`), 'utf8')) as { parameters: Record<string, { allowedPattern: string }> };
    const patterns = ['ImageId', 'ResourceId'].map((name) => new RegExp(document.parameters[name]?.allowedPattern ?? '(?!)'));

    // Act
    const ids = demoImageIds();

    // Assess
    expect(new Set(ids.map(({ file }) => file))).toEqual(
      new Set(['describe-images.json', 'describe-referenced-images.json', 'describe-instances.json', 'describe-launch-template-versions.json', 'get-parameters.json']),
    );
    for (const { file, id } of ids) {
      expect(id, `${id} in ${file}`).toMatch(/^ami-[a-f0-9]{8,17}$/);
      for (const pattern of patterns) expect(pattern.test(id), `${id} in ${file} matches ${pattern}`).toBe(true);
    }
  });
});

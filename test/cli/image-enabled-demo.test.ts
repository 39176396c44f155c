import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';

async function runInProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('ena-guard demo: ena-image-enabled', () => {
  it('prints a verdict for every AMI the demo account owns and every demo launch template', async () => {
    // Act
    const result = await runInProcess('demo');

    // Assess
    expect(result.code).toBe(EXIT.ok);
    const verdicts = Object.fromEntries(
      [...result.stdout.matchAll(/^ena-image-enabled\s+(\S+)\s+(?:ami-\S+\s+)?(COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE|NOT_JUDGED)\b/gm)].map((match) => [match[1], match[2]]),
    );
    expect(verdicts).toEqual({
      'lt-0a1b2c3d4e5f60701': 'COMPLIANT',
      'lt-0a1b2c3d4e5f60702': 'NON_COMPLIANT',
      'lt-0a1b2c3d4e5f60703': 'NON_COMPLIANT',
      'lt-0a1b2c3d4e5f60704': 'NOT_APPLICABLE',
      'lt-0a1b2c3d4e5f60705': 'NON_COMPLIANT',
      'lt-0a1b2c3d4e5f60706': 'NOT_APPLICABLE',
      'lt-0a1b2c3d4e5f60707': 'COMPLIANT',
      'lt-0a1b2c3d4e5f60708': 'NON_COMPLIANT',
      'lt-0a1b2c3d4e5f60709': 'COMPLIANT',
      'ami-0a3c0ffee00000001': 'COMPLIANT',
      'ami-0a3c0ffee00000002': 'COMPLIANT',
      'ami-0a3c0ffee00000003': 'NON_COMPLIANT',
      'ami-0a3c0ffee00000012': 'COMPLIANT',
      'ami-0a3c0ffee00000013': 'NON_COMPLIANT',
      'ami-0a3c0ffee00000021': 'NON_COMPLIANT',
      'ami-0a3c0ffee00000022': 'NOT_APPLICABLE',
      'ami-0a3c0ffee00000023': 'COMPLIANT',
    });
    // AMIs of other accounts are judged on the templates that use them, never as AWS::EC2::Image.
    expect(verdicts).not.toHaveProperty('ami-0a3c0ffee00000031');
    expect(result.stdout).not.toMatch(/111122223333/);
    expect(result.stdout).toMatch(/lt-0a1b2c3d4e5f60707\s+ami-0a3c0ffee00000001\s+COMPLIANT\s+AMI ami-0a3c0ffee00000001 \(from resolve:ssm:\/ena-guard\/demo\/golden-al2023\) has ENA\./);
    expect(result.stdout).toMatch(/ami-0a3c0ffee00000021\s+NON_COMPLIANT\s+The AMI is paravirtual \(PV\) and cannot get ENA: rebuild it as an HVM AMI with ENA/);
  });

  it('judges deprecated AMIs only while includeDeprecatedImages is true', async () => {
    // Act
    const judged = await runInProcess('demo');
    const skipped = await runInProcess('demo', '--param', 'ena-image-enabled.includeDeprecatedImages=false');

    // Assess
    expect(judged.stdout).toMatch(/ena-image-enabled\s+ami-0a3c0ffee00000013\s+NON_COMPLIANT\s+The AMI lacks ENA/);
    expect(skipped.stdout).toMatch(/ena-image-enabled\s+ami-0a3c0ffee00000013\s+NOT_APPLICABLE\s+The AMI is deprecated \(since [^)]+\) and includeDeprecatedImages is false\./);
    expect(skipped.stdout).toMatch(/ena-image-enabled\s+ami-0a3c0ffee00000003\s+NON_COMPLIANT/);
  });

  it('writes the per-AMI report to stderr with --verbose', async () => {
    // Act
    const result = await runInProcess('demo', '--verbose');

    // Assess
    const line = result.stderr.split('\n').find((candidate) => candidate.startsWith('info AMI report '));
    expect(line).toBeDefined();
    const report = JSON.parse(line!.slice('info AMI report '.length)) as { images: { imageId: string; cannotGetEna: boolean; launchTemplates: { name: string }[] }[] };
    expect(report.images.find((image) => image.imageId === 'ami-0a3c0ffee00000021')).toMatchObject({ cannotGetEna: true, launchTemplates: [{ name: 'legacy-ftp' }] });
    expect(report.images).toHaveLength(10);
  });
});

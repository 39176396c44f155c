import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';

async function runInProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('ena-guard demo: ena-image-enabled', () => {
  it('prints a verdict for every demo launch template and one for the account', async () => {
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
      '111122223333': 'NON_COMPLIANT',
    });
    expect(result.stdout).toMatch(/lt-0a1b2c3d4e5f60707\s+ami-0al2023ena000001\s+COMPLIANT\s+AMI ami-0al2023ena000001 \(from resolve:ssm:\/ena-guard\/demo\/golden-al2023\) has ENA\./);
    expect(result.stdout).toMatch(/111122223333\s+NON_COMPLIANT\s+3 of 7 owned AMIs lack ENA: ami-0legacy000000003, ami-0win2012r2old013, ami-0pvlegacy0000021\./);
  });

  it('counts deprecated AMIs only while includeDeprecatedImages is true', async () => {
    // Act
    const result = await runInProcess('demo', '--param', 'ena-image-enabled.includeDeprecatedImages=false');

    // Assess
    expect(result.stdout).toMatch(/111122223333\s+NON_COMPLIANT\s+2 of 5 owned AMIs lack ENA: ami-0legacy000000003, ami-0pvlegacy0000021\./);
  });

  it('writes the per-AMI report to stderr with --verbose', async () => {
    // Act
    const result = await runInProcess('demo', '--verbose');

    // Assess
    const line = result.stderr.split('\n').find((candidate) => candidate.startsWith('info AMI report '));
    expect(line).toBeDefined();
    const report = JSON.parse(line!.slice('info AMI report '.length)) as { images: { imageId: string; cannotGetEna: boolean; launchTemplates: { name: string }[] }[] };
    expect(report.images.find((image) => image.imageId === 'ami-0pvlegacy0000021')).toMatchObject({ cannotGetEna: true, launchTemplates: [{ name: 'legacy-ftp' }] });
    expect(report.images).toHaveLength(10);
  });
});

/**
 * One moto account three ways, which must agree: checked live (checkEstate), exported by the
 * README's AWS CLI commands (the real AWS CLI v2) and checked offline, and exported by
 * writeSnapshot and checked offline. Same findings (ids, verdicts, annotations, reasons), and
 * writeSnapshot's files parse to what the AWS CLI printed, key order included.
 *
 * The Debian AWS CLI (2.9) predates AWS_ENDPOINT_URL, so the commands get --endpoint-url. moto
 * does not serve DescribeInstanceInformation or ListAssociations (HTTP 500): those files are
 * missing from both exports, and the driver rule is incomplete in all three runs alike.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEstate } from '../../src/cli/estate.js';
import { findingsOf, type Finding } from '../../src/cli/findings.js';
import { runAllChecks } from '../../src/cli/run-checks.js';
import { writeSnapshot } from '../../src/cli/snapshot-writer.js';
import { silentLog } from '../../src/engine/ports.js';
import { snapshotSources } from '../../src/facts/sources.js';
import { startMoto, type Moto } from '../support/moto.js';
import { toolAvailable } from '../support/tools.js';

const AWS_CLI = '/usr/bin/aws';
const hasAwsCli = existsSync(AWS_CLI) || (process.env.ENA_GUARD_REQUIRE_TOOLS === '1' ? toolAvailable(AWS_CLI) : false);
const hasMoto = toolAvailable('moto_server', ['--help']);
if (!hasAwsCli) console.warn(`[ena-guard tests] ${AWS_CLI} not found: the AWS CLI snapshot test is skipped.`);
const REGION = 'eu-west-1';
const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const now = () => new Date('2026-01-15T00:00:00Z');
const execFileAsync = promisify(execFile);

let moto: Moto | undefined;
let root = '';
let cliFolder = '';
let writerFolder = '';
const cliSkipped: string[] = [];

/** Runs one README export command; a failing command leaves no file (as a careful auditor would). */
async function exportWithCli(file: string, args: readonly string[]): Promise<void> {
  const env = { PATH: process.env.PATH, HOME: root, AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_MAX_ATTEMPTS: '1', AWS_PAGER: '' };
  try {
    const { stdout } = await execFileAsync(AWS_CLI, [...args, '--output', 'json', '--endpoint-url', moto!.endpoint, '--region', REGION], { env, maxBuffer: 64 * 1024 * 1024 });
    await mkdir(dirname(join(cliFolder, file)), { recursive: true });
    await writeFile(join(cliFolder, file), stdout);
  } catch {
    cliSkipped.push(file);
  }
}

/** What a report shows of a finding, without where (offline findings carry no account or Region). */
function comparable(findings: readonly Finding[]): string[] {
  return findings.map((finding) => JSON.stringify([finding.rule, finding.resourceType, finding.resourceId, finding.subject, finding.verdict, finding.annotation, finding.reasons])).sort();
}

async function offlineFindings(folder: string): Promise<string[]> {
  return comparable(findingsOf(await runAllChecks(snapshotSources(folder, now), {}, silentLog)));
}

describe.skipIf(!hasMoto || !hasAwsCli)('a moto account checked live, via the AWS CLI export and via writeSnapshot (requires moto_server and /usr/bin/aws)', () => {
  beforeAll(async () => {
    moto = await startMoto();
    root = await mkdtemp(join(tmpdir(), 'ena-guard-cli-snapshot-'));
    cliFolder = join(root, 'aws-cli');
    writerFolder = join(root, 'writer');
    const env = { AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
    Object.assign(process.env, env);

    const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: KEYS });
    const amazonImage = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images?.[0]?.ImageId;
    const run = async (type: string) =>
      (await ec2.send(new RunInstancesCommand({ ImageId: amazonImage, InstanceType: type as _InstanceType, MinCount: 1, MaxCount: 1, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: `é-${type}` }] }] }))).Instances![0]!.InstanceId!;
    await run('m5.large');
    await run('c4.large');
    // No owned AMI: moto gives the AMIs CreateImage and RegisterImage make RootDeviceType "standard",
    // which no EC2 answer has and the snapshot reader refuses. A deregistered AMI instead.
    await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-0000000000000dead', InstanceType: 'm5.large' } }));
    await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'batch', LaunchTemplateData: { ImageId: amazonImage }, TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'team', Value: 'data' }] }] }));

    const written = await writeSnapshot({ out: writerFolder, region: REGION });
    // The README's commands. --include-disabled came with AWS CLI 2.13 or so; Debian 12's 2.9 lacks it (moto has no disabled AMI).
    const disabled = spawnSync(AWS_CLI, ['ec2', 'describe-images', 'help'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root, PAGER: 'cat' } }).stdout.includes('include-disabled') ? ['--include-disabled'] : [];
    await Promise.all([
      exportWithCli('describe-instances.json', ['ec2', 'describe-instances']),
      exportWithCli('describe-instance-types.json', ['ec2', 'describe-instance-types', '--filters', 'Name=instance-type,Values=c4.large,m5.large']),
      exportWithCli('describe-instance-information.json', ['ssm', 'describe-instance-information', '--filters', 'Key=ResourceType,Values=EC2Instance']),
      exportWithCli('describe-images.json', ['ec2', 'describe-images', '--owners', 'self']),
      exportWithCli('describe-launch-template-versions.json', ['ec2', 'describe-launch-template-versions', '--versions', '$Default']),
      exportWithCli('describe-launch-templates.json', ['ec2', 'describe-launch-templates']),
      exportWithCli('list-associations.json', ['ssm', 'list-associations']),
    ]);
    // The AMIs the templates and instances use that the account does not own, from the CLI's own files.
    const read = async <T>(file: string) => JSON.parse(await readFile(join(cliFolder, file), 'utf8')) as T;
    const owned = new Set((await read<{ Images: { ImageId: string }[] }>('describe-images.json')).Images.map((image) => image.ImageId));
    const versions = await read<{ LaunchTemplateVersions: { LaunchTemplateData: { ImageId?: string } }[] }>('describe-launch-template-versions.json');
    const instances = await read<{ Reservations: { Instances: { ImageId?: string }[] }[] }>('describe-instances.json');
    const used = [...versions.LaunchTemplateVersions.map((version) => version.LaunchTemplateData.ImageId), ...instances.Reservations.flatMap((reservation) => reservation.Instances.map((instance) => instance.ImageId))];
    const foreign = [...new Set(used)].filter((id): id is string => id !== undefined && !owned.has(id));
    await exportWithCli('describe-referenced-images.json', ['ec2', 'describe-images', '--include-deprecated', ...disabled, '--filters', `Name=image-id,Values=${foreign.join(',')}`]);
    expect(foreign.length).toBeGreaterThan(0);
    expect(written.accountId).toBe('123456789012');
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
    delete process.env.AWS_ENDPOINT_URL;
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('finds the same in the AWS CLI export, in writeSnapshot\'s folder and live', async () => {
    const live = await checkEstate({ regions: [REGION], concurrency: 1, parameters: {}, log: silentLog, now });

    const fromCli = await offlineFindings(cliFolder);
    const fromWriter = await offlineFindings(writerFolder);

    const liveFindings = comparable(findingsOf(live.runs));
    expect(fromCli.length).toBeGreaterThan(4);
    expect(fromWriter).toEqual(fromCli);
    expect(liveFindings).toEqual(fromCli);
    expect(findingsOf(live.runs).every((finding) => finding.accountId === '123456789012' && finding.region === REGION)).toBe(true);
  });

  it('writes every field and value the AWS CLI prints, laid out as it prints them, and skips the files the CLI could not export', async () => {
    const written = await writeSnapshot({ out: join(root, 'again'), region: REGION });
    const files = ['describe-instances.json', 'describe-instance-types.json', 'describe-images.json', 'describe-launch-templates.json', 'describe-launch-template-versions.json', 'describe-referenced-images.json'];

    for (const file of files) {
      const printed = await readFile(join(cliFolder, file), 'utf8');
      const ours = await readFile(join(writerFolder, file), 'utf8');
      // Every field the CLI printed, with its value; the SDK may know newer fields than this CLI's models.
      expect(JSON.parse(ours), file).toMatchObject(JSON.parse(printed) as object);
      // Four-space indent and a final newline, as json.dumps(indent=4) and the CLI print them.
      expect(ours, file).toBe(`${JSON.stringify(JSON.parse(ours), null, 4)}\n`);
    }
    expect(cliSkipped.sort()).toEqual(['describe-instance-information.json', 'list-associations.json']);
    expect((written.skipped ?? []).map((skip) => skip.file).sort()).toEqual(['describe-instance-information.json', 'list-associations.json']);
  });
});

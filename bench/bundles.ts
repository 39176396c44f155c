/**
 * Bundle load times: the median over fresh `node` processes of the time `import()` of each built
 * bundle (dist/) takes, against importing, unbundled from node_modules, the AWS SDK clients that
 * bundle contains. Measured in real time, before any virtual clock is installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CLIENT_PACKAGES: Readonly<Record<string, string>> = {
  EC2Client: '@aws-sdk/client-ec2',
  ConfigServiceClient: '@aws-sdk/client-config-service',
  SSMClient: '@aws-sdk/client-ssm',
  DynamoDBClient: '@aws-sdk/client-dynamodb',
  SNSClient: '@aws-sdk/client-sns',
  S3Client: '@aws-sdk/client-s3',
};

export interface BundleLoad {
  readonly bundle: string;
  readonly bundleMs: number;
  readonly clients: readonly string[];
  readonly unbundledMs: number;
  readonly ratio: number;
}

const SCRIPT =
  "const t = performance.now(); for (const s of JSON.parse(process.env.BENCH_IMPORTS)) await import(s); process.stdout.write(String(performance.now() - t));";

function importMs(cwd: string, specifiers: readonly string[]): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd,
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', BENCH_IMPORTS: JSON.stringify(specifiers) },
    encoding: 'utf8',
    // The SDK's Node-version notice goes to stderr in every child; it is the same on both sides.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return Number(out);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** @param bundleRoot holds dist/ with the bundles; @param packageRoot holds node_modules/ with the unbundled clients. */
export function measureBundleLoads(bundleRoot: string, packageRoot: string, bundles: readonly string[], runs = 20): BundleLoad[] {
  const results: BundleLoad[] = [];
  for (const bundle of bundles) {
    const file = join(bundleRoot, 'dist', bundle);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const clients = Object.keys(CLIENT_PACKAGES).filter((name) => new RegExp(`\\b${name}\\b`).test(text));
    const packages = clients.map((name) => CLIENT_PACKAGES[name]!);
    const bundleTimes: number[] = [];
    const unbundledTimes: number[] = [];
    // Interleaved, so that a slow moment of the machine costs both sides alike.
    for (let run = 0; run < runs; run += 1) {
      bundleTimes.push(importMs(packageRoot, [`file://${file}`]));
      unbundledTimes.push(importMs(packageRoot, packages));
    }
    const bundleMs = median(bundleTimes);
    const unbundledMs = median(unbundledTimes);
    results.push({ bundle, bundleMs, clients, unbundledMs, ratio: bundleMs / unbundledMs });
  }
  return results;
}

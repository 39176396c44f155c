import { runFromProcess } from '../../src/cli/main.js';
import { readFileSync } from 'node:fs';
import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { CredentialsError, EnaGuardError, FactsUnavailableError, SnapshotError } from '../../src/errors.js';
import { EXIT, EXIT_CODES, exitCodeFor, exitCodesHelp, exitCodesMarkdown, isAwsFailure } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/main.js';

describe('exitCodeFor', () => {
  it.each([
    // outcome, --fail-on, code
    [{ nonCompliant: 0, incomplete: false }, 'any', 0],
    [{ nonCompliant: 3, incomplete: false }, 'any', 2],
    [{ nonCompliant: 3, incomplete: true }, 'any', 2],
    [{ nonCompliant: 0, incomplete: true }, 'any', 3],
    [{ nonCompliant: 0, incomplete: false }, 'non-compliant', 0],
    [{ nonCompliant: 1, incomplete: false }, 'non-compliant', 2],
    [{ nonCompliant: 0, incomplete: true }, 'non-compliant', 0],
    [{ nonCompliant: 1, incomplete: true }, 'non-compliant', 2],
    [{ nonCompliant: 1, incomplete: true }, 'none', 0],
    [{ nonCompliant: 0, incomplete: true }, 'none', 0],
  ] as const)('%j with --fail-on %s exits %i', (outcome, failOn, code) => {
    expect(exitCodeFor(outcome, failOn)).toBe(code);
  });

  it('fails on everything by default', () => {
    expect(exitCodeFor({ nonCompliant: 0, incomplete: true })).toBe(EXIT.incomplete);
  });
});

describe('the exit-code table', () => {
  it('numbers the codes 0 to 5 and 70 once each, with the names the CLI uses', () => {
    expect(EXIT_CODES.map((entry) => entry.code)).toEqual([0, 1, 2, 3, 4, 5, 70]);
    expect(EXIT).toEqual({ ok: 0, usage: 1, nonCompliant: 2, incomplete: 3, simulationFailed: 4, aws: 5, internal: 70 });
  });

  it('exits 70 with the stack trace when the command fails with a bug, not 1 as a usage error would', async () => {
    const written: string[] = [];
    const write = process.stderr.write;
    const exitCode = process.exitCode;
    process.stderr.write = ((text: string) => written.push(text) > 0) as typeof process.stderr.write;
    try {
      await runFromProcess(async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'InstanceId')");
      });
      expect(process.exitCode).toBe(70);
    } finally {
      process.stderr.write = write;
      process.exitCode = exitCode;
    }
    expect(written.join('')).toMatch(/^internal error: TypeError: Cannot read properties of undefined \(reading 'InstanceId'\)\n\s+at /);
  });

  it('renders the help text from the table, wrapped to 80 columns, for the codes asked for', () => {
    const help = exitCodesHelp([EXIT.ok, EXIT.simulationFailed]);

    expect(help.split('\n')[0]).toBe('Exit codes:');
    expect(help).toMatch(/^ {2}0 {2}ran, with nothing to fail on/m);
    expect(help).toMatch(/^ {2}4 {2}simulate: the simulated runbook did not succeed/m);
    expect(help).not.toMatch(/^ {2}[1235] /m);
    expect(Math.max(...help.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    // Nothing of a meaning is lost in the wrapping.
    expect(help.replace(/\n {5}/g, ' ')).toContain(`  0  ${EXIT_CODES[0].meaning}`);
  });

  it('is the table README.md shows', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

    expect(readme, 'README.md exit codes drifted from src/cli/exit-codes.ts').toContain(exitCodesMarkdown());
  });
});

describe('isAwsFailure', () => {
  it.each([
    ['CredentialsError', new CredentialsError('no credentials'), true],
    ['an STS service exception', new ExpiredTokenException({ message: 'The security token included in the request is expired', $metadata: {} }), true],
    ["the SDK's credential provider failure", Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), true],
    ['an unreachable endpoint', Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }), true],
    ['a fact source failure caused by AWS', new FactsUnavailableError('DescribeInstances failed', { cause: new ExpiredTokenException({ message: 'expired', $metadata: {} }) }), true],
    ['a snapshot error', new SnapshotError('describe-instances.json', 'file not found'), false],
    ['a snapshot error, whatever its cause', new SnapshotError('describe-instances.json', 'cannot be read', { cause: Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }) }), false],
    ['a fact source failure of its own', new FactsUnavailableError('no such Region'), false],
    ['a usage error', new EnaGuardError('bad flag'), false],
    ['a bug', new TypeError('x is undefined'), false],
    ['a thrown string', 'boom', false],
  ])('%s: %s', (_name, error, expected) => {
    expect(isAwsFailure(error)).toBe(expected);
  });
});

describe('every command help', () => {
  it.each([
    ['demo', [0, 1]],
    ['check', [0, 1, 2, 3, 5]],
    ['snapshot', [0, 1, 5]],
    ['report', [0, 1, 2, 3, 5]],
    ['simulate', [0, 1, 4]],
  ] as const)('ena-guard %s --help lists its exit codes, from the table', async (command, codes) => {
    const out: string[] = [];

    const code = await main([command, '--help'], { stdout: (text) => out.push(text), stderr: () => {} });

    expect(code).toBe(EXIT.ok);
    expect(out.join('\n')).toContain(exitCodesHelp(codes));
  });
});

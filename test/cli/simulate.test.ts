import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssociationDescription } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { DEMO_FLEET, EXIT, main } from '../../src/cli/main.js';
import { accountFromSnapshot } from '../../src/cli/simulate.js';

/** The simulator's first execution id: the id of the run `simulate` prints. */
const EXECUTION_ID = '5e5a0000-0000-4000-8000-000000000001';

/**
 * The lock writes EnaGuard-EnableEnaSupport makes on the stack's lock table (EnaGuard-Locks, as the
 * demo account is seeded), as `simulate` prints them among its changes: real writes the runbook
 * would make, so they are listed. Strings longer than 48 characters are cut to 45 and `...`.
 */
function lockChanges(instanceId: string): string[] {
  return [
    `dynamodb:PutItem {"TableName":"EnaGuard-Locks","Item":{"LockId":{"S":"${instanceId}"},"Holder":{"S":"${EXECUTION_ID}"},"Runbook":{"S":"EnaGuard-EnableEnaSupport"},"AcquiredAt":{"S":"2026-01-01T00:00:00Z"}},"ConditionExpression":"attribute_not_exists(LockId) OR AcquiredAt < ...","ExpressionAttributeValues":{":staleBefore":{"S":"2025-12-31T00:00:00Z"}}}`,
    `dynamodb:DeleteItem {"TableName":"EnaGuard-Locks","Key":{"LockId":{"S":"${instanceId}"}},"ConditionExpression":"Holder = :me","ExpressionAttributeValues":{":me":{"S":"${EXECUTION_ID}"}}}`,
  ];
}

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('ena-guard simulate', () => {
  it('previews enabling ENA on a demo instance whose inventory reports a driver, and exits 0', async () => {
    const result = await cli('simulate', 'EnaGuard-EnableEnaSupport', '--snapshot', DEMO_FLEET, '--param', 'InstanceId=i-0a11c0ffee0000003');

    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toContain('Simulated EnaGuard-EnableEnaSupport (nothing in AWS was called)');
    expect(result.stdout).toMatch(/Success\s+enableEnaSupport \(aws:executeAwsApi\)/);
    expect(result.stdout).toContain('Outcome: Success');
    expect(result.stdout).toMatch(/ec2:ModifyInstanceAttribute \{"InstanceId":"i-0a11c0ffee0000003","EnaSupport":\{"Value":true\}\}/);
    // The lock is the first change and its release the last.
    const changes = result.stdout.slice(result.stdout.indexOf('Changes it would make (7):')).split('\n').slice(1, 8).map((line) => line.trim());
    const [acquire, release] = lockChanges('i-0a11c0ffee0000003');
    expect(changes[0]).toBe(acquire);
    expect(changes[6]).toBe(release);
    expect(changes.map((change) => change.split(' ')[0])).toEqual([
      'dynamodb:PutItem',
      'ssm:SendCommand',
      'ec2:StopInstances',
      'ec2:CreateImage',
      'ec2:ModifyInstanceAttribute',
      'ec2:StartInstances',
      'dynamodb:DeleteItem',
    ]);
  });

  it('shows the refusal for an instance with no driver evidence, says what it assumed, and exits 4', async () => {
    const result = await cli('simulate', 'EnaGuard-EnableEnaSupport', '--snapshot', DEMO_FLEET, '--param', 'InstanceId=i-0a11c0ffee0000004');

    expect(result.code).toBe(EXIT.simulationFailed);
    expect(result.stdout).toMatch(/Outcome: Failed - .*refuseWithoutDriverEvidence/);
    // Nothing changes on the instance: the only writes are the lock's, taken and released.
    expect(result.stdout).toContain(['Changes it would make (2):', ...lockChanges('i-0a11c0ffee0000004').map((change) => `  ${change}`)].join('\n'));
    expect(result.stdout).not.toMatch(/^\s+ec2:/m);
    expect(result.stdout).toContain('Assumed: i-0a11c0ffee0000004: no Custom:EnaDriver inventory, so its guest is assumed to have no ENA driver');
  });

  it('prints the run as JSON when asked', async () => {
    const result = await cli('simulate', 'EnaGuard-EnableEnaSupport', '--snapshot', DEMO_FLEET, '--param', 'InstanceId=i-0a11c0ffee0000001', '--format', 'json');

    const report = JSON.parse(result.stdout) as { executionId: string; status: string; trace: { stepName: string }[]; changes: string[] };
    expect(report.status).toBe('Success');
    expect(report.trace.map((step) => step.stepName)).toContain('confirmAlreadyEnabled');
    // ENA is already on: the lock's own writes are the only changes.
    expect(report.executionId).toBe(EXECUTION_ID);
    expect(report.changes).toEqual(lockChanges('i-0a11c0ffee0000001'));
  });

  it.each([
    [['simulate', '--snapshot', DEMO_FLEET], 'simulate needs a runbook'],
    [['simulate', 'EnaGuard-NoSuchRunbook', '--snapshot', DEMO_FLEET], 'No runbook EnaGuard-NoSuchRunbook: give a file, or one of'],
    [['simulate', 'EnaGuard-EnableEnaSupport', '--snapshot', DEMO_FLEET], 'InstanceId'],
    [['simulate', 'EnaGuard-EnableEnaSupport', '--snapshot', DEMO_FLEET, '--param', 'InstanceId=i-nope'], 'InstanceId'],
  ])('%j exits 1 and names what is wrong', async (args, message) => {
    const result = await cli(...args);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(message);
  });
});

describe('accountFromSnapshot', () => {
  it('gives each guest the driver its inventory reports, and assumes none where there is no inventory', async () => {
    const { account, assumptions } = await accountFromSnapshot(DEMO_FLEET);

    expect(account.guest('i-0a11c0ffee0000003').runningDriver).toMatchObject({ present: true, version: '2.1.3g', source: 'out-of-tree' });
    expect(account.guest('i-0a11c0ffee0000005').runningDriver.present).toBe(false);
    expect(account.guest('i-0a11c0ffee0000004').runningDriver.present).toBe(false);
    expect(assumptions).toContain('i-0a11c0ffee0000004: no Custom:EnaDriver inventory, so its guest is assumed to have no ENA driver');
    expect(account.ec2.instance('i-0a11c0ffee0000003')?.InstanceType).toBe('r4.xlarge');
  });

  it('seeds the State Manager associations of list-associations.json, as DescribeAssociation returns them', async () => {
    // Act
    const { account } = await accountFromSnapshot(DEMO_FLEET);

    // Assess
    const described = account.call('ssm', 'DescribeAssociation', { AssociationId: '0a5c0ffe-e000-4000-8000-000000000001' }) as { AssociationDescription: AssociationDescription };
    expect(described.AssociationDescription).toMatchObject({ Name: 'AWS-GatherSoftwareInventory', AssociationName: 'EnaGuard-GatherInventory', Targets: [{ Key: 'InstanceIds', Values: ['*'] }] });
    expect(described.AssociationDescription.LastExecutionDate).toEqual(new Date('2026-11-22T03:10:00.000Z'));
    const listed = account.call('ssm', 'ListAssociations', {}) as { Associations: { Name: string }[] };
    expect(listed.Associations.map((association) => association.Name)).toEqual(['EnaGuard-CollectEnaDriverInventory', 'AWS-GatherSoftwareInventory']);
  });

  it('leaves out an association whose targets the simulator does not model, and says so', async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'ena-guard-snapshot-'));
    for (const file of ['describe-instances.json', 'describe-instance-types.json']) copyFileSync(join(DEMO_FLEET, file), join(directory, file));
    const association = { Name: 'AWS-GatherSoftwareInventory', AssociationId: '0a5c0ffe-e000-4000-8000-0000000000aa', Targets: [{ Key: 'resource-groups:Name', Values: ['web'] }] };
    writeFileSync(join(directory, 'list-associations.json'), JSON.stringify({ Associations: [association] }));

    // Act
    const { account, assumptions } = await accountFromSnapshot(directory);
    rmSync(directory, { recursive: true, force: true });

    // Assess
    expect((account.call('ssm', 'ListAssociations', {}) as { Associations: unknown[] }).Associations).toEqual([]);
    expect(assumptions).toContain('0a5c0ffe-e000-4000-8000-0000000000aa: association AWS-GatherSoftwareInventory targets resource-groups:Name, which the simulator does not model, so it is left out');
  });
});

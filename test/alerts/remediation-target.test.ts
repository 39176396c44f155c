import { GetAutomationExecutionCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { remediationTarget } from '../../src/alerts/resource-owners.js';
import { FactsUnavailableError } from '../../src/errors.js';

const ssmMock = mockClient(SSMClient);
const EXECUTION = '4e5f6a7b-1234-4cde-8f90-123456789abc';

beforeEach(() => ssmMock.reset());

function executionWith(parameters: Record<string, string[]>) {
  ssmMock.on(GetAutomationExecutionCommand).resolves({ AutomationExecution: { AutomationExecutionId: EXECUTION, DocumentName: 'EnaGuard-ReplaceImageWithEna', Parameters: parameters } });
}

describe('the resource of a runbook execution, for owner alerts', () => {
  it.each([
    [{ InstanceId: ['i-0123456789abcdef0'] }, { resourceType: 'AWS::EC2::Instance', resourceId: 'i-0123456789abcdef0' }],
    [{ ResourceId: ['ami-0a1b2c3d4e5f60718'], ImageId: [''], LaunchTemplateId: [''] }, { resourceType: 'AWS::EC2::Image', resourceId: 'ami-0a1b2c3d4e5f60718' }],
    [{ ResourceId: ['lt-0a1b2c3d4e5f60718'] }, { resourceType: 'AWS::EC2::LaunchTemplate', resourceId: 'lt-0a1b2c3d4e5f60718' }],
    [{ ImageId: ['ami-0a1b2c3d4e5f60718'], ResourceId: [''] }, { resourceType: 'AWS::EC2::Image', resourceId: 'ami-0a1b2c3d4e5f60718' }],
  ])('reads %j as %j', async (parameters, expected) => {
    // Prepare
    executionWith(parameters);

    // Act
    const target = await remediationTarget(new SSMClient({ region: 'eu-west-1' }), EXECUTION);

    // Assess
    expect(target).toEqual(expected);
  });

  it('refuses an execution that names no resource it knows', async () => {
    // Prepare
    executionWith({ ResourceId: ['vol-0123456789abcdef0'] });

    // Act
    const target = remediationTarget(new SSMClient({ region: 'eu-west-1' }), EXECUTION);

    // Assess
    await expect(target).rejects.toThrow(FactsUnavailableError);
  });
});

import { DescribeInstancesCommand, EC2Client, ModifyInstanceAttributeCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeAssociationCommand, ListInventoryEntriesCommand, SSMClient, StartAssociationsOnceCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { Faults, wireEc2Client, wireSsmClient } from '../../src/simulator/index.js';
import { INSTANCE_ID, INVENTORY_ASSOCIATION_ID, inventoryAssociation, singleInstanceAccount } from './fixtures.js';

const ec2Stub = mockClient(EC2Client);
const ssmStub = mockClient(SSMClient);

afterEach(() => {
  ec2Stub.reset();
  ssmStub.reset();
});

describe('SDK clients served by the account model', () => {
  it('answers DescribeInstances with the model’s instances', async () => {
    // Prepare
    const account = singleInstanceAccount();
    wireEc2Client(ec2Stub, account);
    const client = new EC2Client({ region: 'us-east-1' });

    // Act
    const output = await client.send(new DescribeInstancesCommand({ InstanceIds: [INSTANCE_ID] }));

    // Assess
    expect(output.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('running');
    expect(ec2Stub).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [INSTANCE_ID] });
    expect(account.calls.calls({ service: 'ec2' })).toHaveLength(1);
  });

  it('rejects with the SDK-shaped EC2 error the model raises', async () => {
    // Prepare
    const account = singleInstanceAccount();
    wireEc2Client(ec2Stub, account);
    const client = new EC2Client({ region: 'us-east-1' });

    // Act
    const sending = client.send(new ModifyInstanceAttributeCommand({ InstanceId: INSTANCE_ID, EnaSupport: { Value: true } }));

    // Assess
    await expect(sending).rejects.toMatchObject({ name: 'IncorrectInstanceState', $fault: 'client' });
  });

  it('applies injected faults to SDK calls too', async () => {
    // Prepare
    const account = singleInstanceAccount({ faults: [Faults.throttle('ec2', 'StopInstances')] });
    wireEc2Client(ec2Stub, account);
    const client = new EC2Client({ region: 'us-east-1', maxAttempts: 1 });

    // Act
    const sending = client.send(new StopInstancesCommand({ InstanceIds: [INSTANCE_ID] }));

    // Assess
    await expect(sending).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Name).toBe('running');
  });

  it('answers SSM ListInventoryEntries from the model', async () => {
    // Prepare
    const account = singleInstanceAccount({ snapshot: { inventory: { [INSTANCE_ID]: { 'Custom:EnaDriver': [{ DriverVersion: '2.8.1g' }] } } } });
    wireSsmClient(ssmStub, account);
    const client = new SSMClient({ region: 'us-east-1' });

    // Act
    const output = await client.send(new ListInventoryEntriesCommand({ InstanceId: INSTANCE_ID, TypeName: 'Custom:EnaDriver' }));

    // Assess
    expect(output.Entries).toEqual([{ DriverVersion: '2.8.1g' }]);
  });

  it('serves the inventory association calls, with SDK-shaped errors for an unknown association', async () => {
    // Prepare
    const account = singleInstanceAccount({ snapshot: { associations: [inventoryAssociation()] } });
    wireSsmClient(ssmStub, account);
    const client = new SSMClient({ region: 'us-east-1' });

    // Act
    const described = await client.send(new DescribeAssociationCommand({ AssociationId: INVENTORY_ASSOCIATION_ID }));
    const started = await client.send(new StartAssociationsOnceCommand({ AssociationIds: [INVENTORY_ASSOCIATION_ID] }));
    const unknown = client.send(new StartAssociationsOnceCommand({ AssociationIds: ['11111111-2222-4333-8444-555555555555'] }));

    // Assess
    expect(described.AssociationDescription?.Name).toBe('AWS-GatherSoftwareInventory');
    expect(started.$metadata.httpStatusCode).toBe(200);
    await expect(unknown).rejects.toMatchObject({ name: 'AssociationDoesNotExist', $fault: 'client' });
  });
});

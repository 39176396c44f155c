import { describe, expect, it } from 'vitest';
import { AutoScalingServiceException, type AutoScalingInstanceDetails } from '../../src/simulator/index.js';
import { INSTANCE_ID, singleInstanceAccount } from './fixtures.js';

const MEMBER: AutoScalingInstanceDetails = {
  InstanceId: INSTANCE_ID,
  AutoScalingGroupName: 'web-asg',
  AvailabilityZone: 'us-east-1a',
  LifecycleState: 'InService',
  HealthStatus: 'HEALTHY',
  InstanceType: 'r4.large',
  ProtectedFromScaleIn: false,
};

function asgAccount() {
  return singleInstanceAccount({ snapshot: { autoScalingGroups: [{ AutoScalingGroupName: 'web-asg', HealthCheckGracePeriod: 300 }], autoScalingInstances: [MEMBER] } });
}

describe('Auto Scaling groups', () => {
  it('replaces an InService instance that is stopped, once the grace period has passed', () => {
    // Prepare
    const account = asgAccount();

    // Act
    account.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] });
    account.clock.advance(299_000);
    const beforeGrace = account.ec2.instance(INSTANCE_ID)?.State?.Name;
    account.clock.advance(60_000);

    // Assess
    expect(beforeGrace).toBe('stopped');
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Name).toBe('terminated');
    const replacement = account.autoscaling.replacements.get(INSTANCE_ID);
    expect(replacement).toMatch(/^i-/);
    expect(account.call('autoscaling', 'DescribeAutoScalingInstances', {})).toMatchObject({ AutoScalingInstances: [{ InstanceId: replacement, LifecycleState: 'InService' }] });
  });

  it('keeps an instance put in Standby before it is stopped', () => {
    // Prepare
    const account = asgAccount();

    // Act
    account.call('autoscaling', 'EnterStandby', { AutoScalingGroupName: 'web-asg', InstanceIds: [INSTANCE_ID], ShouldDecrementDesiredCapacity: true });
    account.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] });
    account.clock.advance(3600_000);

    // Assess
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Name).toBe('stopped');
    expect(account.autoscaling.member(INSTANCE_ID)?.LifecycleState).toBe('Standby');
  });

  it('replaces an instance that leaves Standby while still stopped', () => {
    // Prepare
    const account = asgAccount();
    account.call('autoscaling', 'EnterStandby', { AutoScalingGroupName: 'web-asg', InstanceIds: [INSTANCE_ID], ShouldDecrementDesiredCapacity: true });
    account.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] });
    account.clock.advance(60_000);

    // Act
    account.call('autoscaling', 'ExitStandby', { AutoScalingGroupName: 'web-asg', InstanceIds: [INSTANCE_ID] });
    account.clock.advance(400_000);

    // Assess
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Name).toBe('terminated');
  });

  it('refuses ExitStandby for an instance that is InService, with a ValidationError', () => {
    // Prepare
    const account = asgAccount();

    // Act
    let error: unknown;
    try {
      account.call('autoscaling', 'ExitStandby', { AutoScalingGroupName: 'web-asg', InstanceIds: [INSTANCE_ID] });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(AutoScalingServiceException);
    expect(error).toMatchObject({ name: 'ValidationError', $fault: 'client', message: `The instance ${INSTANCE_ID} is not in Standby.` });
  });
});

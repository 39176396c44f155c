/**
 * ena-instance-enabled bound to mocked-SDK clients (aws-sdk-client-mock intercepts them), with a
 * recording log and metrics: the engine tests' common setup.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { instanceEnabledRule } from '../../rules/instance-enabled.js';
import { bindInstanceRule } from '../../src/checks/instance-rule.js';
import { runConfigRule, type EngineDependencies } from '../../src/engine/run-rule.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';
import { fixedClock } from './instances.js';
import { recordingLog, recordingMetrics } from './recording-log.js';

export function instanceRuleEngine(overrides: Partial<EngineDependencies> = {}) {
  const ec2 = new EC2Client({ region: 'eu-west-1' });
  const spec = bindInstanceRule(instanceEnabledRule, { fleet: new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2), fixedClock), now: fixedClock });
  const log = recordingLog();
  const metrics = recordingMetrics();
  const deps: EngineDependencies = {
    config: new ConfigServiceClient({ region: 'eu-west-1' }),
    log,
    metrics,
    sleep: async () => {},
    ...overrides,
  };
  return { spec, deps, log, metrics, run: (event: unknown) => runConfigRule(event, spec, deps) };
}

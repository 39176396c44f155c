/**
 * ena-instance-enabled end to end over real HTTP against the moto emulator: the handler as
 * deployed, its clients built by the factory from AWS_ENDPOINT_URL, real SDK serialization.
 * moto only accepts PutEvaluations in test mode, so events carry the TESTMODE token.
 */
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { configEvent } from '../support/config-events.js';
import { startMoto, type Moto } from '../support/moto.js';
import { toolAvailable } from '../support/tools.js';

const hasMoto = toolAvailable('moto_server', ['--help']);
let moto: Moto | undefined;
const launched: Record<string, string[]> = {};

describe.skipIf(!hasMoto)('ena-instance-enabled against moto (requires moto_server)', () => {
  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const ec2 = new EC2Client({ region: 'eu-west-1', endpoint: moto.endpoint });
    const image = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images?.[0]?.ImageId;
    const fleet: [string, number, Record<string, string>?][] = [
      ['m5.large', 30],
      ['r4.large', 20],
      ['c4.large', 10],
      ['t2.micro', 5],
      ['r4.large', 1, { 'ena-guard:exempt': 'vendor appliance' }],
    ];
    for (const [type, count, tags] of fleet) {
      const response = await ec2.send(
        new RunInstancesCommand({
          ImageId: image,
          InstanceType: type as 'm5.large',
          MinCount: count,
          MaxCount: count,
          ...(tags ? { TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] } : {}),
        }),
      );
      const key = tags ? 'exempt' : type;
      launched[key] = [...(launched[key] ?? []), ...(response.Instances ?? []).map((instance) => instance.InstanceId ?? '')];
    }
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    delete process.env.AWS_ENDPOINT_URL;
  });

  it('sweeps every instance and judges it from moto\'s instance types', async () => {
    const { handler } = await import('../../functions/instance-enabled/handler.js');

    const summary = await handler({ ...configEvent('periodic'), resultToken: 'TESTMODE' }, { getRemainingTimeInMillis: () => 300_000 });

    // moto leaves EnaSupport unset on every instance, so ENA-capable types are NON_COMPLIANT.
    expect(summary).toMatchObject({
      complete: true,
      counts: { COMPLIANT: 0, NON_COMPLIANT: 50, NOT_APPLICABLE: 16 },
      delivered: 66,
      undeliveredResourceIds: [],
      unjudgedResourceIds: [],
      putEvaluationsCalls: 1,
    });
  });

  it('judges a change notification with one type lookup over HTTP', async () => {
    const clients = createAwsClients();
    expect(await clients.ec2.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1' });
    const { handler } = await import('../../functions/instance-enabled/handler.js');
    const event = configEvent('change-testmode');

    const summary = await handler(event, { getRemainingTimeInMillis: () => 300_000 });

    expect(summary).toMatchObject({ messageType: 'ConfigurationItemChangeNotification', delivered: 1, counts: { NON_COMPLIANT: 1 } });
  });
});

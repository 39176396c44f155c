/**
 * A fake EC2 endpoint at the HTTP layer, for tests that need the SDK's real middleware (retry,
 * throttling, pagination tokens) rather than a mocked `send`. It answers DescribeInstances in
 * EC2's Query-protocol XML from SDK-shaped `Reservation` pages, and can answer any request with an
 * EC2 error first.
 */
import { Readable } from 'node:stream';
import type { Reservation } from '@aws-sdk/client-ec2';

export interface RecordedRequest {
  readonly action: string;
  readonly params: URLSearchParams;
}

export interface FakeEc2 {
  readonly requests: RecordedRequest[];
  readonly handler: { handle(request: { body?: unknown }): Promise<{ response: unknown }> };
}

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function tag(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escape(String(value))}</${name}>`;
}

function reservationXml(reservation: Reservation): string {
  const instances = (reservation.Instances ?? [])
    .map(
      (instance) =>
        `<item>${tag('instanceId', instance.InstanceId)}${tag('imageId', instance.ImageId)}` +
        `<instanceState>${tag('code', instance.State?.Code)}${tag('name', instance.State?.Name)}</instanceState>` +
        `${tag('instanceType', instance.InstanceType)}${tag('rootDeviceType', instance.RootDeviceType)}` +
        `${tag('virtualizationType', instance.VirtualizationType)}${tag('platform', instance.Platform)}${tag('enaSupport', instance.EnaSupport)}` +
        `<tagSet>${(instance.Tags ?? []).map((t) => `<item>${tag('key', t.Key)}${tag('value', t.Value)}</item>`).join('')}</tagSet></item>`,
    )
    .join('');
  return `<item>${tag('reservationId', reservation.ReservationId)}${tag('ownerId', reservation.OwnerId)}<groupSet/><instancesSet>${instances}</instancesSet></item>`;
}

function response(statusCode: number, xml: string) {
  return { response: { statusCode, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: Readable.from([Buffer.from(xml)]) } };
}

/**
 * @param pages DescribeInstances pages; page n+1 is reached with NextToken `page-(n+1)`.
 * @param failFirst answers the first request matching `when` with this EC2 error instead.
 */
export function fakeEc2(
  pages: readonly Reservation[][],
  failFirst?: { when: (request: RecordedRequest) => boolean; status: number; code: string; times?: number },
): FakeEc2 {
  const requests: RecordedRequest[] = [];
  let failuresLeft = failFirst?.times ?? 1;
  return {
    requests,
    handler: {
      async handle(request) {
        const params = new URLSearchParams(String(request.body ?? ''));
        const recorded = { action: params.get('Action') ?? '', params };
        requests.push(recorded);
        if (failFirst && failuresLeft > 0 && failFirst.when(recorded)) {
          failuresLeft -= 1;
          return response(
            failFirst.status,
            `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${failFirst.code}</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>req-${requests.length}</RequestID></Response>`,
          );
        }
        if (recorded.action !== 'DescribeInstances') return response(400, `<Response><Errors><Error><Code>InvalidAction</Code><Message>not faked</Message></Error></Errors></Response>`);
        const token = params.get('NextToken');
        const index = token ? Number(token.slice('page-'.length)) - 1 : 0;
        const next = index + 1 < pages.length ? tag('nextToken', `page-${index + 2}`) : '';
        return response(
          200,
          `<?xml version="1.0" encoding="UTF-8"?><DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-${requests.length}</requestId><reservationSet>${(pages[index] ?? []).map(reservationXml).join('')}</reservationSet>${next}</DescribeInstancesResponse>`,
        );
      },
    },
  };
}

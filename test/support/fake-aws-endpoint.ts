/**
 * A scripted AWS endpoint on 127.0.0.1, for fault tests through the SDK's whole stack: real
 * serialization, signing, retry strategy and NodeHttpHandler timeouts, over a real socket. It
 * speaks just enough EC2 (Query protocol, XML) and AWS Config (JSON 1.1) for the instance rules:
 * DescribeInstances, DescribeInstanceTypes, PutEvaluations and GetComplianceDetailsByConfigRule.
 *
 * What each request gets is decided by a script, per request:
 * - `answer`: a real-shaped success body;
 * - `hang`: the request is read and never answered (the client's request timeout must end it);
 * - `throttle`: the service's own throttling error (EC2 `RequestLimitExceeded` in XML, Config
 *   `ThrottlingException` in JSON with `x-amzn-ErrorType`), HTTP 400, for as long as the script says;
 * - `server-error`: HTTP 500 with the service's internal-error body;
 * - `fail-evaluations`: PutEvaluations answers 200 listing every evaluation it was sent in
 *   `FailedEvaluations` (Config's partial failure).
 * A refused connection is not a response: {@link refusingEndpoint} gives a port nothing listens on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeService = 'ec2' | 'config';
export type Behaviour = 'answer' | 'hang' | 'throttle' | 'server-error' | 'fail-evaluations';

export interface FakeAwsRequest {
  readonly service: FakeService;
  /** `DescribeInstances`, `PutEvaluations`, … */
  readonly operation: string;
  readonly body: string;
  /** 1 for the first request of this operation, 2 for the next (the SDK's retry, say). */
  readonly attempt: number;
}

/** An instance as DescribeInstances lists it; the type must be one {@link INSTANCE_TYPES} knows. */
export interface FakeInstance {
  readonly instanceId: string;
  readonly instanceType: keyof typeof INSTANCE_TYPES;
  readonly enaSupport: boolean;
}

/** Types DescribeInstanceTypes knows, with their ENA capability. */
export const INSTANCE_TYPES = { 'm5.large': 'required', 'r4.large': 'supported', 'c4.large': 'unsupported' } as const;

export interface FakeAwsEndpointOptions {
  /** What each request gets (default: `answer` for all). */
  readonly script?: (request: FakeAwsRequest) => Behaviour;
  /** What DescribeInstances lists, on one page. */
  readonly instances?: readonly FakeInstance[];
}

export interface FakeAwsEndpoint {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL_CONFIG_SERVICE. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: readonly FakeAwsRequest[];
  /** How many requests of one operation were received. */
  count(operation: string): number;
  /** Stops listening and drops every connection, hung ones included. */
  close(): Promise<void>;
}

export function fakeInstance(index: number, instanceType: FakeInstance['instanceType'] = 'm5.large', enaSupport = true): FakeInstance {
  return { instanceId: `i-${index.toString(16).padStart(17, '0')}`, instanceType, enaSupport };
}

export async function startFakeAwsEndpoint(options: FakeAwsEndpointOptions = {}): Promise<FakeAwsEndpoint> {
  const script = options.script ?? (() => 'answer');
  const instances = options.instances ?? [];
  const requests: FakeAwsRequest[] = [];
  const count = (operation: string) => requests.filter((request) => request.operation === operation).length;

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const { service, operation } = identify(incoming, body);
      const request = { service, operation, body, attempt: count(operation) + 1 };
      requests.push(request);
      const behaviour = script(request);
      if (behaviour === 'hang') return;
      const reply = service === 'ec2' ? ec2Reply(behaviour, operation, instances, requests.length) : configReply(behaviour, operation, body, requests.length);
      send(outgoing, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The URL of a loopback port with nothing listening: every connection is refused (ECONNREFUSED). */
export async function refusingEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function identify(incoming: IncomingMessage, body: string): { service: FakeService; operation: string } {
  const target = incoming.headers['x-amz-target'];
  if (typeof target === 'string') return { service: 'config', operation: target.split('.').at(-1) ?? target };
  return { service: 'ec2', operation: new URLSearchParams(body).get('Action') ?? '?' };
}

function send(outgoing: ServerResponse, reply: Reply): void {
  outgoing.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  outgoing.end(reply.body);
}

const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function ec2Error(status: number, code: string, message: string, requestId: number): Reply {
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-${requestId}</RequestID></Response>`,
  };
}

function ec2Reply(behaviour: Exclude<Behaviour, 'hang'>, operation: string, instances: readonly FakeInstance[], requestId: number): Reply {
  if (behaviour === 'throttle') return ec2Error(400, 'RequestLimitExceeded', 'Request limit exceeded.', requestId);
  if (behaviour === 'server-error') return ec2Error(500, 'InternalError', 'An internal error has occurred.', requestId);
  const ok = (xml: string): Reply => ({ status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}` });
  if (operation === 'DescribeInstances') {
    const items = instances
      .map(
        (instance, index) =>
          `<item><reservationId>r-${index.toString(16).padStart(17, '0')}</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item>` +
          `<instanceId>${instance.instanceId}</instanceId><imageId>ami-0123456789abcdef0</imageId><instanceState><code>16</code><name>running</name></instanceState>` +
          `<instanceType>${instance.instanceType}</instanceType><rootDeviceType>ebs</rootDeviceType><virtualizationType>hvm</virtualizationType>` +
          `<enaSupport>${instance.enaSupport}</enaSupport><tagSet><item><key>Name</key><value>node-${index}</value></item></tagSet></item></instancesSet></item>`,
      )
      .join('');
    return ok(`<DescribeInstancesResponse xmlns="${EC2_XMLNS}"><requestId>req-${requestId}</requestId><reservationSet>${items}</reservationSet></DescribeInstancesResponse>`);
  }
  if (operation === 'DescribeInstanceTypes') {
    const items = Object.entries(INSTANCE_TYPES)
      .map(
        ([type, ena]) =>
          `<item><instanceType>${type}</instanceType><currentGeneration>true</currentGeneration><hypervisor>${ena === 'required' ? 'nitro' : 'xen'}</hypervisor>` +
          `<networkInfo><enaSupport>${ena}</enaSupport><maximumNetworkInterfaces>3</maximumNetworkInterfaces></networkInfo></item>`,
      )
      .join('');
    return ok(`<DescribeInstanceTypesResponse xmlns="${EC2_XMLNS}"><requestId>req-${requestId}</requestId><instanceTypeSet>${items}</instanceTypeSet></DescribeInstanceTypesResponse>`);
  }
  return ec2Error(400, 'InvalidAction', `${operation} is not faked.`, requestId);
}

function configError(status: number, type: string, message: string, requestId: number): Reply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type, 'x-amzn-requestid': `req-${requestId}` },
    body: JSON.stringify({ __type: type, message }),
  };
}

function configReply(behaviour: Exclude<Behaviour, 'hang'>, operation: string, body: string, requestId: number): Reply {
  if (behaviour === 'throttle') return configError(400, 'ThrottlingException', 'Rate exceeded', requestId);
  if (behaviour === 'server-error') return configError(500, 'InternalFailure', 'An internal error occurred.', requestId);
  const ok = (payload: unknown): Reply => ({
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${requestId}` },
    body: JSON.stringify(payload),
  });
  if (operation === 'PutEvaluations') {
    const sent = (JSON.parse(body) as { Evaluations?: unknown[] }).Evaluations ?? [];
    return ok({ FailedEvaluations: behaviour === 'fail-evaluations' ? sent : [] });
  }
  if (operation === 'GetComplianceDetailsByConfigRule') return ok({ EvaluationResults: [] });
  return configError(400, 'InvalidAction', `${operation} is not faked.`, requestId);
}

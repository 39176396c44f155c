/**
 * An HTTP-level fake AWS for the benchmark: a smithy `HttpHandler` (`handle(request)`) put in
 * place of the clients' NodeHttpHandler, so that every call goes through the SDK's real stack —
 * serialization, endpoint resolution, signing, the adaptive retry strategy and its rate limiter,
 * deserialization of AWS's wire formats — and only the socket is replaced. It answers:
 *
 * - EC2 (Query protocol, XML): DescribeInstances (paginated by MaxResults/NextToken, or by
 *   InstanceId.N), DescribeInstanceTypes (instance-type filter or InstanceType.N);
 * - AWS Config (JSON 1.1): PutEvaluations, GetComplianceDetailsByConfigRule (the rule's previous
 *   results: every current instance plus 1% gone ones, 100 per page);
 * - SSM (JSON 1.1): DescribeInstanceInformation (50 per page), ListInventoryEntries
 *   (InvalidInstanceId for an unmanaged instance, as SSM answers);
 * - S3 (REST, XML): the state bucket. GetObject, PutObject, DeleteObject, DeleteObjects and
 *   ListObjectsV2 over objects held in memory (the stale-result ledgers), and over the inventory
 *   data sync's folder, computed from the fleet: one JSON Lines object per managed instance that
 *   reports `Custom:EnaDriver`, as src/facts/synced-inventory-reader.ts reads it.
 *
 * Every request waits `latencyMs` of (virtual) time and first takes a token from its API's
 * bucket; an empty bucket answers the service's own throttling error (EC2 `RequestLimitExceeded`
 * XML, SSM/Config `ThrottlingException` JSON, HTTP 400), which the SDK's retry strategy retries.
 */
import { Readable } from 'node:stream';
import { ImageEstate, INSTANCE_TYPES, indexOf, instanceId, type Fleet } from './fleet.js';

export interface BucketSpec {
  readonly burst: number;
  readonly perSecond: number;
}

export const EC2_BUCKET: BucketSpec = { burst: 100, perSecond: 20 };
export const SSM_BUCKET: BucketSpec = { burst: 100, perSecond: 20 };
export const CONFIG_BUCKET: BucketSpec = { burst: 1000, perSecond: 200 };
/** S3's documented floor per partitioned prefix: 5,500 GET/HEAD and 3,500 PUT/DELETE per second (S3 User Guide, "Optimizing performance"). */
export const S3_BUCKET: BucketSpec = { burst: 3500, perSecond: 3500 };

class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly spec: BucketSpec,
    now: number,
  ) {
    this.tokens = spec.burst;
    this.last = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface FakeRequest {
  readonly method?: string;
  readonly hostname?: string;
  readonly path?: string;
  readonly query?: Record<string, string | string[] | null>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

interface FakeResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  /** A stream for S3's GetObject, whose output the SDK hands over as a stream, as NodeHttpHandler gives it. */
  readonly body: Uint8Array | Readable;
}

export interface FakeAwsOptions {
  readonly fleet: Fleet;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly latencyMs?: number;
  /** Resource type of the rule's previous results (GetComplianceDetailsByConfigRule). */
  readonly previousResults?: 'instances' | 'images';
  /** Owned AMIs and launch templates, when not derived from the fleet's size. */
  readonly imageEstate?: { readonly ownedImages: number; readonly templates: number };
  /** The data sync's folder of this account and Region in the state bucket: its objects are computed from the fleet. */
  readonly inventorySyncFolder?: string;
}

export interface CallStats {
  /** HTTP requests per operation, retries included. */
  readonly calls: Record<string, number>;
  /** Of those, the ones answered with a throttling error. */
  readonly throttled: Record<string, number>;
  /** Evaluations PutEvaluations received. */
  evaluationsReceived: number;
  /** CPU milliseconds the fake spent building answers (part of the CPU time measured). */
  fakeCpuMs: number;
}

const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const encoder = new TextEncoder();
const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export class FakeAws {
  readonly stats: CallStats = { calls: {}, throttled: {}, evaluationsReceived: 0, fakeCpuMs: 0 };
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly latencyMs: number;
  private requestId = 0;
  private readonly estate: ImageEstate;
  /** The state bucket's stored objects (the ledgers), by key. */
  readonly objects = new Map<string, Uint8Array>();

  constructor(private readonly options: FakeAwsOptions) {
    this.latencyMs = options.latencyMs ?? 50;
    this.estate = new ImageEstate(options.fleet.size, options.fleet.seed, options.imageEstate);
  }

  /** The handler to put in a client's `config.requestHandler`. */
  readonly handler = {
    handle: (request: FakeRequest, handlerOptions?: { abortSignal?: AbortSignal }) => this.handle(request, handlerOptions?.abortSignal),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };

  private async handle(request: FakeRequest, abortSignal?: AbortSignal): Promise<{ response: FakeResponse }> {
    const body = typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '';
    const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const target = headers['x-amz-target'];
    const s3 = !target && (request.hostname ?? '').includes('.s3.');
    const service = s3 ? 's3' : target ? (target.startsWith('AmazonSSM') ? 'ssm' : 'config') : 'ec2';
    const params = service === 'ec2' ? new URLSearchParams(body) : undefined;
    const operation = s3 ? s3Operation(request) : target ? (target.split('.').at(-1) ?? target) : (params?.get('Action') ?? '?');
    const stats = this.stats;
    stats.calls[operation] = (stats.calls[operation] ?? 0) + 1;
    const arrived = this.options.now();
    let bucket = this.buckets.get(operation);
    if (!bucket) {
      bucket = new TokenBucket({ config: CONFIG_BUCKET, ssm: SSM_BUCKET, ec2: EC2_BUCKET, s3: S3_BUCKET }[service], arrived);
      this.buckets.set(operation, bucket);
    }
    const allowed = bucket.take(arrived);
    await this.wait(abortSignal);
    const started = performance.now();
    this.requestId += 1;
    let response: FakeResponse;
    if (!allowed) {
      stats.throttled[operation] = (stats.throttled[operation] ?? 0) + 1;
      response =
        service === 'ec2'
          ? this.ec2Error(400, 'RequestLimitExceeded', 'Request limit exceeded.')
          : service === 's3'
            ? this.s3Error(503, 'SlowDown', 'Please reduce your request rate.')
            : this.jsonError(400, 'ThrottlingException', 'Rate exceeded');
    } else if (service === 's3') {
      response = this.s3(operation, request);
    } else if (service === 'ec2') {
      response = this.ec2(operation, params!);
    } else {
      response = this.json(operation, body);
    }
    stats.fakeCpuMs += performance.now() - started;
    return { response };
  }

  private wait(abortSignal?: AbortSignal): Promise<void> {
    if (!abortSignal) return this.options.sleep(this.latencyMs);
    return new Promise((resolve, reject) => {
      const abort = () => {
        const error = new Error('Request aborted');
        error.name = 'AbortError';
        reject(error);
      };
      if (abortSignal.aborted) return abort();
      abortSignal.addEventListener('abort', abort, { once: true });
      void this.options.sleep(this.latencyMs).then(() => {
        abortSignal.removeEventListener('abort', abort);
        resolve();
      });
    });
  }

  // ---- EC2 -----------------------------------------------------------------------------------

  private ec2Ok(xml: string): FakeResponse {
    return { statusCode: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: encoder.encode(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`) };
  }

  private ec2Error(status: number, code: string, message: string): FakeResponse {
    return {
      statusCode: status,
      headers: { 'content-type': 'text/xml;charset=UTF-8' },
      body: encoder.encode(`<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${escape(message)}</Message></Error></Errors><RequestID>req-${this.requestId}</RequestID></Response>`),
    };
  }

  private listed(params: URLSearchParams, prefix: string): string[] {
    const values: string[] = [];
    for (let n = 1; params.has(`${prefix}.${n}`); n += 1) values.push(params.get(`${prefix}.${n}`)!);
    return values;
  }

  private ec2(operation: string, params: URLSearchParams): FakeResponse {
    const fleet = this.options.fleet;
    if (operation === 'DescribeInstances') {
      const ids = this.listed(params, 'InstanceId');
      let indices: number[];
      let next: number | undefined;
      if (ids.length > 0) {
        indices = ids.map(indexOf).filter((index) => index >= 0 && index < fleet.size);
      } else {
        const start = Number(params.get('NextToken') ?? 0);
        const max = Number(params.get('MaxResults') ?? 1000);
        const end = Math.min(fleet.size, start + max);
        indices = Array.from({ length: Math.max(0, end - start) }, (_, offset) => start + offset);
        next = end < fleet.size ? end : undefined;
      }
      const items = indices
        .map((index) => {
          const instance = fleet.instance(index);
          return (
            `<item><reservationId>r-${index.toString(16).padStart(17, '0')}</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item>` +
            `<instanceId>${instance.instanceId}</instanceId><imageId>ami-0123456789abcdef0</imageId><instanceState><code>16</code><name>running</name></instanceState>` +
            `<privateDnsName>ip-10-0-${(index >> 8) & 255}-${index & 255}.eu-west-1.compute.internal</privateDnsName><launchTime>2026-06-01T00:00:00.000Z</launchTime>` +
            `<placement><availabilityZone>eu-west-1a</availabilityZone><tenancy>default</tenancy></placement>` +
            `<instanceType>${instance.instanceType}</instanceType><architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>` +
            `<virtualizationType>hvm</virtualizationType><hypervisor>xen</hypervisor><enaSupport>${instance.enaSupport}</enaSupport>` +
            `<networkInterfaceSet><item><networkInterfaceId>eni-${index.toString(16).padStart(17, '0')}</networkInterfaceId><subnetId>subnet-0123456789abcdef0</subnetId>` +
            `<status>in-use</status><interfaceType>interface</interfaceType><attachment><deviceIndex>0</deviceIndex><status>attached</status></attachment></item></networkInterfaceSet>` +
            `<tagSet><item><key>Name</key><value>node-${index}</value></item><item><key>team</key><value>team-${index % 40}</value></item></tagSet></item></instancesSet></item>`
          );
        })
        .join('');
      const token = next === undefined ? '' : `<nextToken>${next}</nextToken>`;
      return this.ec2Ok(`<DescribeInstancesResponse xmlns="${EC2_XMLNS}"><requestId>req-${this.requestId}</requestId><reservationSet>${items}</reservationSet>${token}</DescribeInstancesResponse>`);
    }
    if (operation === 'DescribeInstanceTypes') {
      let wanted = this.listed(params, 'InstanceType');
      for (let n = 1; params.has(`Filter.${n}.Name`); n += 1) {
        if (params.get(`Filter.${n}.Name`) === 'instance-type') wanted = this.listed(params, `Filter.${n}.Value`);
      }
      const items = wanted
        .filter((type) => type in INSTANCE_TYPES)
        .map((type) => {
          const ena = INSTANCE_TYPES[type]!;
          return (
            `<item><instanceType>${type}</instanceType><currentGeneration>${ena !== 'unsupported'}</currentGeneration><hypervisor>${ena === 'required' ? 'nitro' : 'xen'}</hypervisor>` +
            `<networkInfo><enaSupport>${ena}</enaSupport><maximumNetworkInterfaces>3</maximumNetworkInterfaces><networkPerformance>Up to 10 Gigabit</networkPerformance></networkInfo></item>`
          );
        })
        .join('');
      return this.ec2Ok(`<DescribeInstanceTypesResponse xmlns="${EC2_XMLNS}"><requestId>req-${this.requestId}</requestId><instanceTypeSet>${items}</instanceTypeSet></DescribeInstanceTypesResponse>`);
    }
    if (operation === 'DescribeImages') return this.describeImages(params);
    if (operation === 'DescribeLaunchTemplates') return this.describeLaunchTemplates(params);
    if (operation === 'DescribeLaunchTemplateVersions') return this.describeLaunchTemplateVersions(params);
    return this.ec2Error(400, 'InvalidAction', `${operation} is not faked.`);
  }

  private page(params: URLSearchParams, total: number, defaultMax: number): { start: number; end: number; token: string } {
    const start = Number(params.get('NextToken') ?? 0);
    const end = Math.min(total, start + Number(params.get('MaxResults') ?? defaultMax));
    return { start, end, token: end < total ? `<nextToken>${end}</nextToken>` : '' };
  }

  private describeImages(params: URLSearchParams): FakeResponse {
    const estate = this.estate;
    const imageXml = (owned: boolean, index: number) => {
      const id = owned ? estate.ownedImageId(index) : estate.publicImageId(index);
      const name = owned ? `golden-${index}` : `amzn2-ami-hvm-2.0.${index}-x86_64-gp2`;
      const deprecation = owned && index % 10 === 0 ? '<deprecationTime>2026-01-01T00:00:00.000Z</deprecationTime>' : '';
      return (
        `<item><imageId>${id}</imageId><imageLocation>${owned ? '123456789012' : 'amazon'}/${name}</imageLocation><imageState>available</imageState>` +
        `<imageOwnerId>${owned ? '123456789012' : '137112412989'}</imageOwnerId><creationDate>2025-06-01T00:00:00.000Z</creationDate><isPublic>${!owned}</isPublic>` +
        `<architecture>x86_64</architecture><imageType>machine</imageType><name>${name}</name><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>` +
        `<virtualizationType>hvm</virtualizationType><hypervisor>xen</hypervisor><enaSupport>${estate.imageEna(owned, index)}</enaSupport>${deprecation}` +
        `<tagSet><item><key>team</key><value>team-${index % 40}</value></item></tagSet></item>`
      );
    };
    let items = '';
    let token = '';
    const filtered = this.listed(params, 'Filter.1.Value');
    if (params.get('Filter.1.Name') === 'image-id') {
      items = filtered
        .map((id) => estate.imageIndex(id))
        .filter((found) => found !== undefined)
        .map((found) => imageXml(found.owned, found.index))
        .join('');
    } else {
      const page = this.page(params, estate.ownedImages, 1000);
      for (let index = page.start; index < page.end; index += 1) items += imageXml(true, index);
      token = page.token;
    }
    return this.ec2Ok(`<DescribeImagesResponse xmlns="${EC2_XMLNS}"><requestId>req-${this.requestId}</requestId><imagesSet>${items}</imagesSet>${token}</DescribeImagesResponse>`);
  }

  private describeLaunchTemplates(params: URLSearchParams): FakeResponse {
    const estate = this.estate;
    const ids = this.listed(params, 'LaunchTemplateId');
    let indices: number[];
    let token = '';
    if (ids.length > 0) {
      indices = ids.map((id) => estate.templateIndex(id));
      if (indices.some((index) => index < 0)) return this.ec2Error(400, 'InvalidLaunchTemplateId.NotFound', 'At least one of the launch templates specified in the request does not exist.');
    } else {
      const page = this.page(params, estate.templates, 200);
      indices = Array.from({ length: page.end - page.start }, (_, offset) => page.start + offset);
      token = page.token;
    }
    const items = indices
      .map(
        (index) =>
          `<item><launchTemplateId>${estate.templateId(index)}</launchTemplateId><launchTemplateName>template-${index}</launchTemplateName>` +
          `<createTime>2025-06-01T00:00:00.000Z</createTime><createdBy>arn:aws:iam::123456789012:role/builder</createdBy><defaultVersionNumber>${1 + (index % 3)}</defaultVersionNumber>` +
          `<latestVersionNumber>${1 + (index % 3)}</latestVersionNumber><tagSet><item><key>team</key><value>team-${index % 40}</value></item></tagSet></item>`,
      )
      .join('');
    return this.ec2Ok(`<DescribeLaunchTemplatesResponse xmlns="${EC2_XMLNS}"><requestId>req-${this.requestId}</requestId><launchTemplates>${items}</launchTemplates>${token}</DescribeLaunchTemplatesResponse>`);
  }

  private describeLaunchTemplateVersions(params: URLSearchParams): FakeResponse {
    const estate = this.estate;
    const one = params.get('LaunchTemplateId');
    const resolve = params.get('ResolveAlias') === 'true';
    let indices: number[];
    let token = '';
    if (one) {
      const index = estate.templateIndex(one);
      if (index < 0) return this.ec2Error(400, 'InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${one}, does not exist.`);
      indices = [index];
    } else {
      const page = this.page(params, estate.templates, 200);
      indices = Array.from({ length: page.end - page.start }, (_, offset) => page.start + offset);
      token = page.token;
    }
    const items = indices
      .map((index) => {
        const image = estate.templateImage(index);
        const imageId = resolve && image.startsWith('resolve:ssm:') ? estate.resolved(image) : image;
        return (
          `<item><launchTemplateId>${estate.templateId(index)}</launchTemplateId><launchTemplateName>template-${index}</launchTemplateName>` +
          `<versionNumber>${1 + (index % 3)}</versionNumber><createTime>2025-06-01T00:00:00.000Z</createTime><defaultVersion>true</defaultVersion>` +
          `<launchTemplateData><imageId>${escape(imageId)}</imageId><instanceType>m5.large</instanceType></launchTemplateData></item>`
        );
      })
      .join('');
    return this.ec2Ok(
      `<DescribeLaunchTemplateVersionsResponse xmlns="${EC2_XMLNS}"><requestId>req-${this.requestId}</requestId><launchTemplateVersionSet>${items}</launchTemplateVersionSet>${token}</DescribeLaunchTemplateVersionsResponse>`,
    );
  }

  // ---- JSON 1.1 (Config, SSM) ----------------------------------------------------------------

  private jsonOk(payload: unknown): FakeResponse {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${this.requestId}` },
      body: encoder.encode(JSON.stringify(payload)),
    };
  }

  private jsonError(status: number, type: string, message: string): FakeResponse {
    return {
      statusCode: status,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type, 'x-amzn-requestid': `req-${this.requestId}` },
      body: encoder.encode(JSON.stringify({ __type: type, message })),
    };
  }

  /** The rule's previous results, as GetComplianceDetailsByConfigRule pages them: every current resource plus 1% gone. */
  previousResults(): { resourceType: string; resourceId: string }[] {
    const images = this.options.previousResults === 'images';
    const current = images ? this.estate.ownedImages + this.estate.templates : this.options.fleet.size;
    return Array.from({ length: current + Math.ceil(current / 100) }, (_, index) => {
      const { ResourceType, ResourceId } = this.previousResource(images, index);
      return { resourceType: ResourceType, resourceId: ResourceId };
    });
  }

  /** The resource of the rule's index-th previous result. */
  private previousResource(images: boolean, index: number): { ResourceType: string; ResourceId: string } {
    if (!images) return { ResourceType: 'AWS::EC2::Instance', ResourceId: instanceId(index) };
    const estate = this.estate;
    if (index < estate.ownedImages) return { ResourceType: 'AWS::EC2::Image', ResourceId: estate.ownedImageId(index) };
    const template = index - estate.ownedImages;
    // Ids past the templates' are the gone ones.
    return template < estate.templates ? { ResourceType: 'AWS::EC2::LaunchTemplate', ResourceId: estate.templateId(template) } : { ResourceType: 'AWS::EC2::Image', ResourceId: estate.ownedImageId(estate.ownedImages + template) };
  }

  private json(operation: string, body: string): FakeResponse {
    const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    const fleet = this.options.fleet;
    switch (operation) {
      case 'PutEvaluations': {
        const evaluations = (input.Evaluations as unknown[] | undefined) ?? [];
        this.stats.evaluationsReceived += evaluations.length;
        return this.jsonOk({ FailedEvaluations: [] });
      }
      case 'GetComplianceDetailsByConfigRule': {
        const images = this.options.previousResults === 'images';
        const estate = this.estate;
        // Previous results: every current resource plus 1% gone (ids past the current ones).
        const current = images ? estate.ownedImages + estate.templates : fleet.size;
        const total = current + Math.ceil(current / 100);
        const start = Number(input.NextToken ?? 0);
        const end = Math.min(total, start + Math.min(100, Number(input.Limit ?? 100)));
        const results = [];
        for (let index = start; index < end; index += 1) {
          results.push({
            EvaluationResultIdentifier: {
              EvaluationResultQualifier: { ConfigRuleName: input.ConfigRuleName, ...this.previousResource(images, index) },
              OrderingTimestamp: 1_795_000_000,
            },
            ComplianceType: index % 7 === 0 ? 'NON_COMPLIANT' : 'COMPLIANT',
            ResultRecordedTime: 1_795_000_100,
            ConfigRuleInvokedTime: 1_795_000_000,
          });
        }
        return this.jsonOk({ EvaluationResults: results, ...(end < total ? { NextToken: String(end) } : {}) });
      }
      case 'DescribeInstanceInformation': {
        const max = Math.min(50, Number(input.MaxResults ?? 50));
        const managed = [];
        let index = Number(input.NextToken ?? 0);
        for (; index < fleet.size && managed.length < max; index += 1) {
          const instance = fleet.instance(index);
          if (!instance.managed) continue;
          managed.push({
            InstanceId: instance.instanceId,
            PingStatus: 'Online',
            LastPingDateTime: 1_795_000_000,
            AgentVersion: '3.3.1142.0',
            IsLatestVersion: false,
            PlatformType: 'Linux',
            PlatformName: 'Amazon Linux',
            PlatformVersion: '2',
            ResourceType: 'EC2Instance',
            IPAddress: `10.0.${(index >> 8) & 255}.${index & 255}`,
            ComputerName: `ip-10-0-${(index >> 8) & 255}-${index & 255}.eu-west-1.compute.internal`,
          });
        }
        return this.jsonOk({ InstanceInformationList: managed, ...(index < fleet.size ? { NextToken: String(index) } : {}) });
      }
      case 'ListInventoryEntries': {
        const id = String(input.InstanceId ?? '');
        const index = indexOf(id);
        const instance = index >= 0 && index < fleet.size ? fleet.instance(index) : undefined;
        if (!instance?.managed) return this.jsonError(400, 'InvalidInstanceId', `Instance ${id} is not a managed node.`);
        const entries = instance.reportsInventory ? [driverEntry(instance.driverVersion)] : [];
        return this.jsonOk({ TypeName: input.TypeName, InstanceId: id, SchemaVersion: '1.0', CaptureTime: '2026-11-20T11:00:00Z', Entries: entries });
      }
      default:
        return this.jsonError(400, 'InvalidAction', `${operation} is not faked.`);
    }
  }

  // ---- S3 ------------------------------------------------------------------------------------

  private s3Ok(xml?: string, body?: Uint8Array): FakeResponse {
    if (body) return { statusCode: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) }, body: Readable.from([Buffer.from(body)]) };
    return { statusCode: xml === undefined ? 204 : 200, headers: { 'content-type': 'application/xml' }, body: encoder.encode(xml === undefined ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`) };
  }

  private s3Error(status: number, code: string, message: string): FakeResponse {
    return {
      statusCode: status,
      headers: { 'content-type': 'application/xml' },
      body: encoder.encode(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escape(message)}</Message><RequestId>req-${this.requestId}</RequestId></Error>`),
    };
  }

  private s3(operation: string, request: FakeRequest): FakeResponse {
    const key = (request.path ?? '/').slice(1).split('/').map(decodeURIComponent).join('/');
    const query = request.query ?? {};
    const folder = this.options.inventorySyncFolder;
    switch (operation) {
      case 'GetObject': {
        const synced = folder !== undefined && key.startsWith(folder) ? this.syncedObject(key.slice(folder.length)) : this.objects.get(key);
        return synced ? this.s3Ok(undefined, synced) : this.s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
      }
      case 'PutObject':
        this.objects.set(key, request.body instanceof Uint8Array ? request.body : encoder.encode(typeof request.body === 'string' ? request.body : ''));
        return { statusCode: 200, headers: { etag: '"bench"' }, body: new Uint8Array() };
      case 'DeleteObject':
        this.objects.delete(key);
        return this.s3Ok();
      case 'DeleteObjects': {
        const text = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : String(request.body ?? '');
        for (const [, deleted] of text.matchAll(/<Key>([^<]*)<\/Key>/g)) this.objects.delete(deleted!.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>'));
        return this.s3Ok('<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>');
      }
      case 'ListObjectsV2': {
        const prefix = String(query.prefix ?? '');
        const max = Math.min(1000, Number(query['max-keys'] ?? 1000));
        const after = query['continuation-token'] === undefined ? undefined : String(query['continuation-token']);
        const page = folder !== undefined && prefix.startsWith(folder) ? this.syncedKeys(folder, after, max) : this.storedKeys(prefix, after, max);
        const contents = page.keys
          .map((listed) => `<Contents><Key>${escape(listed)}</Key><LastModified>2026-11-20T11:00:00.000Z</LastModified><ETag>"bench"</ETag><Size>512</Size><StorageClass>STANDARD</StorageClass></Contents>`)
          .join('');
        return this.s3Ok(
          `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bench</Name><Prefix>${escape(prefix)}</Prefix><KeyCount>${page.keys.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${page.next !== undefined}</IsTruncated>${page.next !== undefined ? `<NextContinuationToken>${page.next}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`,
        );
      }
      default:
        return this.s3Error(400, 'NotImplemented', `${operation} is not faked.`);
    }
  }

  private storedKeys(prefix: string, after: string | undefined, max: number): { keys: string[]; next?: string } {
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix) && (after === undefined || key > after)).sort();
    const page = keys.slice(0, max);
    return keys.length > max ? { keys: page, next: page.at(-1)! } : { keys: page };
  }

  /** The sync folder's keys in key order (instance ids are zero-padded, so index order), from the index after the token. */
  private syncedKeys(folder: string, after: string | undefined, max: number): { keys: string[]; next?: string } {
    const fleet = this.options.fleet;
    const keys: string[] = [];
    let index = after === undefined ? 0 : Number(after);
    for (; index < fleet.size && keys.length < max; index += 1) {
      if (fleet.instance(index).reportsInventory) keys.push(`${folder}${instanceId(index)}.json`);
    }
    return index < fleet.size ? { keys, next: String(index) } : { keys };
  }

  /** What the sync writes for one instance: one JSON line per entry, the sync's own fields beside the collector's. */
  private syncedObject(name: string): Uint8Array | undefined {
    const id = name.replace(/\.json$/, '');
    const index = indexOf(id);
    const instance = index >= 0 && index < this.options.fleet.size ? this.options.fleet.instance(index) : undefined;
    if (!instance?.reportsInventory) return undefined;
    const record = {
      ...driverEntry(instance.driverVersion),
      resourceId: id,
      captureTime: '2026-11-20T11:00:00Z',
      schemaVersion: '1.0',
    };
    return encoder.encode(`${JSON.stringify(record)}\n`);
  }
}

/** The operation of an S3 REST request, from its method and query (virtual-hosted style: the key is the path). */
function s3Operation(request: FakeRequest): string {
  const query = request.query ?? {};
  const method = (request.method ?? 'GET').toUpperCase();
  if (method === 'GET' && query['list-type'] === '2') return 'ListObjectsV2';
  if (method === 'POST' && 'delete' in query) return 'DeleteObjects';
  if (method === 'GET') return 'GetObject';
  if (method === 'PUT') return 'PutObject';
  if (method === 'DELETE') return 'DeleteObject';
  return `${method}?`;
}

/** The `Custom:EnaDriver` entry of a generated instance, as the collector writes it. */
function driverEntry(driverVersion: string): Record<string, string> {
  return {
    DriverPresent: 'true',
    DriverLoaded: 'true',
    InterfaceDriver: 'ena',
    DriverVersion: driverVersion,
    DriverVersionSource: 'modinfo',
    DriverBuild: 'out-of-tree',
    KernelRelease: '5.10.215-203.850.amzn2.x86_64',
    OsFamily: 'linux',
    OsId: 'amzn',
    OsVersion: '2',
    OsName: 'Amazon Linux 2',
  };
}

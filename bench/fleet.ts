/**
 * A seeded synthetic fleet, computed per instance index (nothing is held in memory, so the
 * fake's own state does not inflate the heap measured). Mix: 16 instance types (Nitro types that
 * require ENA, Xen types that support it, old types without it); ENA on wherever the type
 * requires it, on 70% of instances of types that merely support it; ~80% managed by SSM, of which
 * 95% report the Custom:EnaDriver inventory; driver versions spread from current to years old.
 */
export type EnaCapability = 'required' | 'supported' | 'unsupported';

export const INSTANCE_TYPES: Readonly<Record<string, EnaCapability>> = {
  'm5.large': 'required',
  'm5.xlarge': 'required',
  'm6i.large': 'required',
  'm7g.large': 'required',
  'c5.large': 'required',
  'c6g.xlarge': 'required',
  'r5.large': 'required',
  't3.medium': 'required',
  'r4.large': 'supported',
  'i3.large': 'supported',
  'x1.16xlarge': 'supported',
  'p3.2xlarge': 'supported',
  'c4.large': 'unsupported',
  'm4.large': 'unsupported',
  't2.micro': 'unsupported',
  'm3.medium': 'unsupported',
};
const TYPE_NAMES = Object.keys(INSTANCE_TYPES);
/** Relative weights of the types above (newer types dominate). */
const TYPE_WEIGHTS = [14, 8, 12, 8, 10, 6, 8, 10, 4, 3, 1, 1, 5, 4, 5, 1];
const TOTAL_WEIGHT = TYPE_WEIGHTS.reduce((a, b) => a + b, 0);

const DRIVER_VERSIONS = ['2.13.0g', '2.12.1g', '2.10.0g', '2.8.1g', '2.6.0g', '2.2.10g', '2.1.3g'];

/** mulberry32 of (seed, index, salt): a stable pseudo-random number in [0, 1). */
export function random(seed: number, index: number, salt: number): number {
  let t = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export interface BenchInstance {
  readonly index: number;
  readonly instanceId: string;
  readonly instanceType: string;
  readonly enaSupport: boolean;
  readonly managed: boolean;
  readonly reportsInventory: boolean;
  readonly driverVersion: string;
}

const ID_OFFSET = 0x100000;

export function instanceId(index: number): string {
  return `i-${(ID_OFFSET + index).toString(16).padStart(17, '0')}`;
}

export function indexOf(id: string): number {
  return Number.parseInt(id.slice(2), 16) - ID_OFFSET;
}

export class Fleet {
  constructor(
    readonly size: number,
    readonly seed: number,
  ) {}

  instance(index: number): BenchInstance {
    const pick = random(this.seed, index, 1) * TOTAL_WEIGHT;
    let type = TYPE_NAMES[0]!;
    for (let t = 0, sum = 0; t < TYPE_NAMES.length; t += 1) {
      sum += TYPE_WEIGHTS[t]!;
      if (pick < sum) {
        type = TYPE_NAMES[t]!;
        break;
      }
    }
    const capability = INSTANCE_TYPES[type];
    const enaSupport = capability === 'required' || (capability === 'supported' && random(this.seed, index, 2) < 0.7);
    const managed = random(this.seed, index, 3) < 0.8;
    return {
      index,
      instanceId: instanceId(index),
      instanceType: type,
      enaSupport,
      managed,
      reportsInventory: managed && random(this.seed, index, 4) < 0.95,
      driverVersion: DRIVER_VERSIONS[Math.floor(random(this.seed, index, 5) * DRIVER_VERSIONS.length)]!,
    };
  }

  /** Instances Config still holds results for but which are gone (1% churn since the last sweep). */
  get goneCount(): number {
    return Math.ceil(this.size / 100);
  }
}

/** SSM parameters some launch templates name instead of an AMI id (`resolve:ssm:`). */
export const SSM_IMAGE_PARAMETERS = [
  'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
  'resolve:ssm:/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2',
  'resolve:ssm:/golden/base-ami',
];

/**
 * The account's AMIs and launch templates, scaled with the fleet (ena-image-enabled): one owned
 * AMI per 100 instances and one launch template per 50. 90% of owned AMIs have ENA; templates
 * name an owned AMI (70%), a public AMI the account does not own (20%, 1 of 20 distinct per 10
 * templates) or an SSM parameter (10%).
 */
export class ImageEstate {
  readonly ownedImages: number;
  readonly templates: number;
  readonly publicImages: number;

  /** @param counts owned AMIs and launch templates, when not derived from the fleet's size. */
  constructor(
    fleetSize: number,
    readonly seed: number,
    counts?: { readonly ownedImages: number; readonly templates: number },
  ) {
    this.ownedImages = counts?.ownedImages ?? Math.max(10, Math.ceil(fleetSize / 100));
    this.templates = counts?.templates ?? Math.max(10, Math.ceil(fleetSize / 50));
    this.publicImages = Math.max(1, Math.ceil(this.templates / 50));
  }

  ownedImageId(index: number): string {
    return `ami-0${(0x1000000 + index).toString(16).padStart(16, '0')}`;
  }

  publicImageId(index: number): string {
    return `ami-1${(0x1000000 + index).toString(16).padStart(16, '0')}`;
  }

  /** Owned AMI index of an owned id, public index (negative, -1 for 0) of a public one, or undefined. */
  imageIndex(id: string): { owned: boolean; index: number } | undefined {
    if (!/^ami-[01][0-9a-f]{16}$/.test(id)) return undefined;
    const index = Number.parseInt(id.slice(5), 16) - 0x1000000;
    const owned = id[4] === '0';
    if (index < 0 || index >= (owned ? this.ownedImages : this.publicImages)) return undefined;
    return { owned, index };
  }

  imageEna(owned: boolean, index: number): boolean {
    return owned ? random(this.seed, index, 11) < 0.9 : index % 4 !== 3;
  }

  templateId(index: number): string {
    return `lt-0${(0x1000000 + index).toString(16).padStart(16, '0')}`;
  }

  templateIndex(id: string): number {
    const index = Number.parseInt(id.slice(4), 16) - 0x1000000;
    return Number.isInteger(index) && index >= 0 && index < this.templates ? index : -1;
  }

  /** What the template's default version names as its ImageId. */
  templateImage(index: number): string {
    const pick = random(this.seed, index, 12);
    if (pick < 0.7) return this.ownedImageId(Math.floor(random(this.seed, index, 13) * this.ownedImages));
    if (pick < 0.9) return this.publicImageId(Math.floor(random(this.seed, index, 14) * this.publicImages));
    return SSM_IMAGE_PARAMETERS[Math.floor(random(this.seed, index, 15) * SSM_IMAGE_PARAMETERS.length)]!;
  }

  /** The AMI EC2 resolves an SSM parameter to. */
  resolved(parameter: string): string {
    return this.publicImageId(Math.max(0, SSM_IMAGE_PARAMETERS.indexOf(parameter)) % this.publicImages);
  }
}

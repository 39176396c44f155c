import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareDriverVersionText,
  compareKernelReleaseText,
  parseDriverVersion,
  parseKernelRelease,
  parseOsVersion,
} from '../../rules/driver-version.js';

describe('parseDriverVersion', () => {
  it.each([
    ['2.8.1g', [2, 8, 1], 'g'],
    ['1.5.0K', [1, 5, 0], 'K'],
    ['2.2.10', [2, 2, 10], ''],
    ['2.4.0.0', [2, 4, 0, 0], ''],
    [' 2.17.0g\n', [2, 17, 0], 'g'],
  ])('reads %j as components %j with suffix %j', (text, components, suffix) => {
    // Act
    const version = parseDriverVersion(text);

    // Assess
    expect(version).toEqual({ text: text.trim(), components, suffix });
  });

  it.each(['', 'abc', '2..1', '.2.1', '2.1.', 'version: 2.8.1g', '4.14.186-146.268.amzn2.x86_64', '1'.repeat(20)])(
    'returns undefined for %j',
    (text) => {
      // Act
      const version = parseDriverVersion(text);

      // Assess
      expect(version).toBeUndefined();
    },
  );
});

describe('compareDriverVersionText', () => {
  it.each([
    ['2.10.0', '2.9.0', 1],
    ['2.2.9g', '2.2.10', -1],
    ['2.8.1g', '2.2.10', 1],
    ['1.5.0K', '2.2.10', -1],
    ['2.4.0', '2.4.0.0', 0],
    ['2.4.0.1', '2.4.0', 1],
    ['2.2.10g', '2.2.10', 0],
    ['2.6.0', '2.8.0', -1],
  ])('orders %s against %s as %i', (left, right, expected) => {
    // Act
    const ordering = compareDriverVersionText(left, right);

    // Assess
    expect(ordering).toBe(expected);
  });

  it('says unparseable instead of guessing when one side is not a version', () => {
    // Act
    const ordering = compareDriverVersionText('2.8.1g', 'latest');

    // Assess
    expect(ordering).toBe('unparseable');
  });
});

describe('parseKernelRelease', () => {
  it.each([
    ['4.14.186-146.268.amzn2.x86_64', [4, 14, 186], [146, 268]],
    ['5.4.0-1025-aws', [5, 4, 0], [1025]],
    ['4.18.0-240.1.1.el8_3.x86_64', [4, 18, 0], [240, 1, 1]],
    ['4.12.14-95.99.3-default', [4, 12, 14], [95, 99, 3]],
    ['4.12.14-150000.150.92.2', [4, 12, 14], [150000, 150, 92, 2]],
    ['6.1.61-85.141.amzn2023.x86_64', [6, 1, 61], [85, 141]],
    ['5.10.0-26-cloud-amd64', [5, 10, 0], [26]],
    ['4.14.186', [4, 14, 186], []],
    ['4.9.0.amzn1', [4, 9, 0], []],
  ])('reads %j as upstream %j and release %j', (text, upstream, distributionRelease) => {
    // Act
    const release = parseKernelRelease(text);

    // Assess
    expect(release).toEqual({ text, upstream, distributionRelease });
  });

  it.each(['', 'linux', '4', '4.x', '4.14abc', 'Microsoft Windows'])('returns undefined for %j', (text) => {
    // Act
    const release = parseKernelRelease(text);

    // Assess
    expect(release).toBeUndefined();
  });
});

describe('compareKernelReleaseText', () => {
  it.each([
    ['4.14.186-146.268.amzn2.x86_64', '4.14.186', 1],
    ['4.14.181-142.260.amzn2.x86_64', '4.14.186', -1],
    ['6.1.61-85.141.amzn2023.x86_64', '4.14.186', 1],
    ['4.18.0-240.1.1.el8_3.x86_64', '4.18.0-240.1.1.el8_3', 0],
    ['4.18.0-193.28.1.el8_2.x86_64', '4.18.0-240.1.1.el8_3', -1],
    ['4.18.0-240.10.1.el8_3.x86_64', '4.18.0-240.1.1.el8_3', 1],
    ['5.4.0-1024-aws', '5.4.0-1025-aws', -1],
    ['5.4.0-1100-aws', '5.4.0-1025-aws', 1],
    ['5.15.0-1051-aws', '5.4.0-1025-aws', 1],
    ['4.12.14-95.99.3-default', '4.12.14-95.99.3', 0],
    ['4.12.14-122.37.1-default', '4.12.14-122.116.1', -1],
    ['4.12.14-150000.150.92.2-default', '4.12.14-122.116.1', 1],
    ['5.3.18-24.15.1-default', '5.3.18-24.9.1', 1],
  ])('orders %s against %s as %i', (left, right, expected) => {
    // Act
    const ordering = compareKernelReleaseText(left, right);

    // Assess
    expect(ordering).toBe(expected);
  });
});

describe('parseOsVersion', () => {
  it.each([
    ['20.04', [20, 4]],
    ['15', [15]],
    ['10.0.20348', [10, 0, 20348]],
  ])('reads %j as %j', (text, expected) => {
    // Act
    const version = parseOsVersion(text);

    // Assess
    expect(version).toEqual(expected);
  });

  it('returns undefined for a rolling release with no numeric version', () => {
    // Act
    const version = parseOsVersion('rolling');

    // Assess
    expect(version).toBeUndefined();
  });
});

const component = fc.integer({ min: 0, max: 99_999 });
const componentList = fc.array(component, { minLength: 1, maxLength: 5 }); // with up to 3 trailing zeros: 8, the most a version may have
const driverVersionText = fc
  .tuple(componentList, fc.constantFrom('', 'g', 'K'))
  .map(([components, suffix]) => `${components.join('.')}${suffix}`);
const kernelReleaseText = fc
  .tuple(
    fc.array(component, { minLength: 2, maxLength: 3 }),
    fc.array(component, { minLength: 0, maxLength: 4 }),
    fc.constantFrom('', '.x86_64', '-aws', '-default', '.amzn2.x86_64', '.el8_3.x86_64'),
  )
  .map(([upstream, release, tag]) => `${upstream.join('.')}${release.length > 0 ? `-${release.join('.')}` : ''}${tag}`);

describe('driver version ordering (properties)', () => {
  it('is reflexive: every version equals itself', () => {
    fc.assert(
      fc.property(driverVersionText, (version) => {
        // Act / Assess
        expect(compareDriverVersionText(version, version)).toBe(0);
      }),
    );
  });

  it('is antisymmetric: swapping the sides negates the result', () => {
    fc.assert(
      fc.property(driverVersionText, driverVersionText, (left, right) => {
        // Act
        const forward = compareDriverVersionText(left, right);
        const backward = compareDriverVersionText(right, left);

        // Assess
        expect(forward).toBe(-(backward as number) || 0);
      }),
    );
  });

  it('is transitive: a <= b and b <= c imply a <= c', () => {
    fc.assert(
      fc.property(driverVersionText, driverVersionText, driverVersionText, (a, b, c) => {
        // Prepare
        const [first, second, third] = [a, b, c].sort((x, y) => compareDriverVersionText(x, y) as number);

        // Act
        const ordering = compareDriverVersionText(first as string, third as string);

        // Assess
        expect(compareDriverVersionText(first as string, second as string)).toBeLessThanOrEqual(0);
        expect(compareDriverVersionText(second as string, third as string)).toBeLessThanOrEqual(0);
        expect(ordering).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('ignores the g and K suffixes', () => {
    fc.assert(
      fc.property(componentList, fc.constantFrom('g', 'K'), (components, suffix) => {
        // Prepare
        const plain = components.join('.');

        // Act
        const ordering = compareDriverVersionText(`${plain}${suffix}`, plain);

        // Assess
        expect(ordering).toBe(0);
      }),
    );
  });

  it('ignores trailing zero components', () => {
    fc.assert(
      fc.property(componentList, fc.integer({ min: 1, max: 3 }), (components, zeros) => {
        // Prepare
        const padded = [...components, ...Array<number>(zeros).fill(0)].join('.');

        // Act
        const ordering = compareDriverVersionText(padded, components.join('.'));

        // Assess
        expect(ordering).toBe(0);
      }),
    );
  });

  it('compares numerically, so a larger last component is newer whatever its digit count', () => {
    fc.assert(
      fc.property(componentList, component, component, (prefix, low, high) => {
        fc.pre(low < high);
        // Act
        const ordering = compareDriverVersionText([...prefix, high].join('.'), [...prefix, low].join('.'));

        // Assess
        expect(ordering).toBe(1);
      }),
    );
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'binary' }), (left, right) => {
        // Act / Assess
        expect(() => compareDriverVersionText(left, right)).not.toThrow();
        expect(() => parseDriverVersion(right)).not.toThrow();
      }),
    );
  });
});

describe('kernel release ordering (properties)', () => {
  it('is reflexive, antisymmetric and blind to arch and flavour tags', () => {
    fc.assert(
      fc.property(kernelReleaseText, kernelReleaseText, (left, right) => {
        // Act
        const forward = compareKernelReleaseText(left, right);
        const backward = compareKernelReleaseText(right, left);

        // Assess
        expect(compareKernelReleaseText(left, left)).toBe(0);
        expect(forward).toBe(-(backward as number) || 0);
        expect(compareKernelReleaseText(left, left.replace(/(\.x86_64|-aws|-default|\.amzn2\.x86_64|\.el8_3\.x86_64)$/, ''))).toBe(0);
      }),
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(kernelReleaseText, kernelReleaseText, kernelReleaseText, (a, b, c) => {
        // Prepare
        const [first, , third] = [a, b, c].sort((x, y) => compareKernelReleaseText(x, y) as number);

        // Act
        const ordering = compareKernelReleaseText(first as string, third as string);

        // Assess
        expect(ordering).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('ranks a newer upstream version above any distribution release of an older one', () => {
    fc.assert(
      fc.property(kernelReleaseText, fc.integer({ min: 1, max: 9 }), (release, bump) => {
        // Prepare
        const parsed = parseKernelRelease(release);
        fc.pre(parsed !== undefined);
        const [major = 0] = parsed!.upstream;
        const newer = `${major + bump}.0.0-1`;

        // Act
        const ordering = compareKernelReleaseText(newer, release);

        // Assess
        expect(ordering).toBe(1);
      }),
    );
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'grapheme' }), (left, right) => {
        // Act / Assess
        expect(() => compareKernelReleaseText(left, right)).not.toThrow();
        expect(() => parseOsVersion(left)).not.toThrow();
      }),
    );
  });
});

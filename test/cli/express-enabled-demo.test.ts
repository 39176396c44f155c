import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';

async function runInProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

interface Row {
  readonly rule: string;
  readonly resourceId: string;
  readonly subject: string;
  readonly verdict: string;
  readonly annotation: string;
  readonly reasons: readonly string[];
}

async function expressRows(...args: string[]): Promise<Map<string, Row>> {
  const result = await runInProcess('demo', '--format', 'json', ...args);
  expect(result.code).toBe(EXIT.ok);
  const report = JSON.parse(result.stdout) as { findings: Row[] };
  return new Map(report.findings.filter((row) => row.rule === 'ena-express-enabled').map((row) => [row.resourceId, row]));
}

/** The demo instances tagged ena-guard:ena-express=enabled, and their primary network interfaces. */
const ANALYTICS_BIG = { instanceId: 'i-0a11c0ffee0000014', primary: 'eni-0e71c0ffee0000014', secondary: 'eni-0e72c0ffee0000014' };
const SQL_REPLICA = { instanceId: 'i-0a11c0ffee0000012', primary: 'eni-0e71c0ffee0000012' };
const CHECKOUT_API = { instanceId: 'i-0a11c0ffee0000001' };

describe('ena-guard demo: ena-express-enabled', () => {
  it('judges the tagged instance on an ENA Express type with it on its primary interface COMPLIANT', async () => {
    // Act
    const row = (await expressRows()).get(ANALYTICS_BIG.instanceId);

    // Assess
    expect(row).toMatchObject({ subject: 'm6in.16xlarge', verdict: 'COMPLIANT', reasons: ['ENA_EXPRESS_ENABLED'] });
    expect(row?.annotation).toBe(`ENA Express is on for ${ANALYTICS_BIG.primary}.`);
    expect(row?.annotation).not.toContain(ANALYTICS_BIG.secondary);
  });

  it('judges the tagged instance with ENA Express off NON_COMPLIANT and gives the command for its primary interface', async () => {
    // Act
    const row = (await expressRows()).get(SQL_REPLICA.instanceId);

    // Assess
    expect(row).toMatchObject({ subject: 'r6in.8xlarge', verdict: 'NON_COMPLIANT', reasons: ['ENA_EXPRESS_DISABLED'] });
    expect(row?.annotation).toContain(
      `aws ec2 modify-network-interface-attribute --network-interface-id ${SQL_REPLICA.primary} --ena-srd-specification EnaSrdEnabled=true`,
    );
    expect(row?.annotation.length).toBeLessThanOrEqual(256);
  });

  it('judges the tagged instance on a type that cannot use ENA Express NOT_APPLICABLE', async () => {
    // Act
    const row = (await expressRows()).get(CHECKOUT_API.instanceId);

    // Assess
    expect(row).toMatchObject({ subject: 'm5.large', verdict: 'NOT_APPLICABLE', reasons: ['TYPE_CANNOT_USE_ENA_EXPRESS'] });
    expect(row?.annotation).toBe('Instance type m5.large cannot use ENA Express.');
  });

  it('leaves every untagged live instance out of scope', async () => {
    // Act
    const rows = await expressRows();

    // Assess
    const verdicts = Object.fromEntries([...rows.values()].map((row) => [row.resourceId, `${row.verdict} ${row.reasons.join(',')}`]));
    expect(verdicts).toEqual({
      'i-0a11c0ffee0000001': 'NOT_APPLICABLE TYPE_CANNOT_USE_ENA_EXPRESS',
      'i-0a11c0ffee0000002': 'NOT_APPLICABLE NOT_IN_SCOPE',
      'i-0a11c0ffee0000003': 'NOT_APPLICABLE NOT_IN_SCOPE',
      'i-0a11c0ffee0000004': 'NOT_APPLICABLE NOT_IN_SCOPE',
      'i-0a11c0ffee0000005': 'NOT_APPLICABLE NOT_IN_SCOPE',
      'i-0a11c0ffee0000006': 'NOT_APPLICABLE NOT_IN_SCOPE',
      'i-0a11c0ffee0000007': 'NOT_APPLICABLE NOT_IN_SCOPE',
      'i-0a11c0ffee0000008': 'NOT_APPLICABLE EXEMPT',
      'i-0a11c0ffee0000009': 'NOT_APPLICABLE INSTANCE_GONE',
      'i-0a11c0ffee0000011': 'NOT_JUDGED INSTANCE_TYPE_UNKNOWN',
      'i-0a11c0ffee0000012': 'NON_COMPLIANT ENA_EXPRESS_DISABLED',
      'i-0a11c0ffee0000013': 'NOT_APPLICABLE NOT_IN_SCOPE',
      'i-0a11c0ffee0000014': 'COMPLIANT ENA_EXPRESS_ENABLED',
    });
  });

  it('puts no demo instance in scope when --param names another tag value', async () => {
    // Act
    const rows = await expressRows('--param', 'ena-express-enabled.enaExpressTagValue=srd');

    // Assess
    for (const instance of [ANALYTICS_BIG, SQL_REPLICA, CHECKOUT_API]) {
      expect(rows.get(instance.instanceId)).toMatchObject({ verdict: 'NOT_APPLICABLE', reasons: ['NOT_IN_SCOPE'] });
      expect(rows.get(instance.instanceId)?.annotation).toBe('Not in scope: not tagged ena-guard:ena-express=srd.');
    }
  });
});

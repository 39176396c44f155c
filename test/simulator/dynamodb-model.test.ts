import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, DynamoDBServiceException, GetItemCommand, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { GetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  AccountModel,
  DYNAMODB_RESERVED_WORDS,
  Faults,
  SimulatorError,
  compareNumbers,
  compareStrings,
  evaluateCondition,
  parseCondition,
  parseDocument,
  loadDocument,
  simulate,
  wireDynamoDbClient,
  type FaultRule,
  type Item,
} from '../../src/simulator/index.js';
import { START, documentPath } from './fixtures.js';

const TABLE = 'EnaGuard-Locks';

function lockAccount(items: readonly Item[] = [], faults: readonly FaultRule[] = []): AccountModel {
  return AccountModel.fromSnapshot({ startTime: START, dynamoDbTables: [{ TableName: TABLE, KeyAttribute: 'LockId', Items: items }] }, { faults });
}

function lock(id: string, holder: string, acquiredAt = '2026-03-02T09:00:00Z'): Item {
  return { LockId: { S: id }, Holder: { S: holder }, AcquiredAt: { S: acquiredAt } };
}

/** The error a call throws, or a failure when it does not throw. */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

/** Evaluates a condition against an item, with placeholders. */
function holds(expression: string, item: Item | undefined, values: Record<string, Item[string]> = {}, names: Record<string, string> = {}): boolean {
  return evaluateCondition(parseCondition(expression, names, values).condition, item);
}

describe('DynamoDB items', () => {
  it('puts, gets and deletes an item in the low-level shape', () => {
    // Prepare
    const account = lockAccount();
    const item = { ...lock('i-1', 'exec-1'), Attempts: { N: '2' }, Forced: { BOOL: false } };

    // Act
    account.call('dynamodb', 'PutItem', { TableName: TABLE, Item: item });
    const found = account.call('dynamodb', 'GetItem', { TableName: TABLE, Key: { LockId: { S: 'i-1' } }, ConsistentRead: true }) as GetItemCommandOutput;
    account.call('dynamodb', 'DeleteItem', { TableName: TABLE, Key: { LockId: { S: 'i-1' } } });
    const gone = account.call('dynamodb', 'GetItem', { TableName: TABLE, Key: { LockId: { S: 'i-1' } } });

    // Assess
    expect(found.Item).toEqual(item);
    expect(gone).not.toHaveProperty('Item');
    expect(gone).toHaveProperty('$metadata.httpStatusCode', 200);
    expect(account.dynamodb.items(TABLE)).toEqual([]);
  });

  it('replaces an item with the same key, and returns the old one with ReturnValues ALL_OLD', () => {
    // Prepare
    const account = lockAccount([lock('i-1', 'exec-1')]);

    // Act
    const output = account.call('dynamodb', 'PutItem', { TableName: TABLE, Item: lock('i-1', 'exec-2'), ReturnValues: 'ALL_OLD' });

    // Assess
    expect(output).toHaveProperty('Attributes', lock('i-1', 'exec-1'));
    expect(account.dynamodb.items(TABLE)).toEqual([lock('i-1', 'exec-2')]);
  });

  it('gives copies: changing an output or an inspected item does not change the table', () => {
    // Prepare
    const account = lockAccount([lock('i-1', 'exec-1')]);

    // Act
    const output = account.call('dynamodb', 'GetItem', { TableName: TABLE, Key: { LockId: { S: 'i-1' } } }) as GetItemCommandOutput;
    (output.Item as Item)['Holder'] = { S: 'tampered' };
    (account.dynamodb.items(TABLE)[0] as Item)['Holder'] = { S: 'tampered' };

    // Assess
    expect(account.dynamodb.items(TABLE)).toEqual([lock('i-1', 'exec-1')]);
  });

  it('refuses an unknown table with ResourceNotFoundException, the SDK’s own class', () => {
    // Prepare
    const account = lockAccount();

    // Act
    const error = errorOf(() => account.call('dynamodb', 'GetItem', { TableName: 'Nope', Key: { LockId: { S: 'i-1' } } }));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', message: 'Requested resource not found', $fault: 'client', $metadata: { httpStatusCode: 400 } });
  });

  it.each([
    ['an item without its key', { TableName: TABLE, Item: { Holder: { S: 'x' } } }, 'PutItem', 'One or more parameter values were invalid: Missing the key LockId in the item'],
    ['a number key', { TableName: TABLE, Item: { LockId: { N: '1' } } }, 'PutItem', 'One or more parameter values were invalid: Type mismatch for key LockId expected: S actual: N'],
    ['an empty key', { TableName: TABLE, Item: { LockId: { S: '' } } }, 'PutItem', 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: LockId'],
    ['a Key naming another attribute', { TableName: TABLE, Key: { Id: { S: 'i-1' } } }, 'GetItem', 'The provided key element does not match the schema'],
    ['a Key with an extra attribute', { TableName: TABLE, Key: { LockId: { S: 'i-1' }, Holder: { S: 'x' } } }, 'DeleteItem', 'The provided key element does not match the schema'],
    ['an attribute value without a type', { TableName: TABLE, Item: { LockId: { S: 'i-1' }, Holder: {} } }, 'PutItem', 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
    ['a number that is not one', { TableName: TABLE, Item: { LockId: { S: 'i-1' }, Count: { N: 'ten' } } }, 'PutItem', 'The parameter cannot be converted to a numeric value'],
    ['a missing Key', { TableName: TABLE }, 'GetItem', 'The request must contain the parameter Key'],
  ])('refuses %s with ValidationException', (_case, input, operation, message) => {
    // Prepare
    const account = lockAccount();

    // Act
    const error = errorOf(() => account.call('dynamodb', operation, input));

    // Assess
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    expect(error).toMatchObject({ name: 'ValidationException', message });
    expect(account.dynamodb.items(TABLE)).toEqual([]);
  });

  it('is listed by supports() for the three operations only, and builds from a snapshot', () => {
    // Prepare
    const account = lockAccount([lock('i-1', 'exec-1')]);

    // Act
    const supported = ['PutItem', 'GetItem', 'DeleteItem', 'UpdateItem', 'Query'].filter((op) => account.supports('dynamodb', op));

    // Assess
    expect(supported).toEqual(['PutItem', 'GetItem', 'DeleteItem']);
    expect(account.supports('DynamoDB', 'GetItem')).toBe(true);
    expect(account.dynamodb.items(TABLE)).toEqual([lock('i-1', 'exec-1')]);
    expect(() => account.dynamodb.items('Other')).toThrow(SimulatorError);
  });

  it('logs calls with the table as a resource id, and fault rules strike them like other services’', () => {
    // Prepare
    const account = lockAccount([], [Faults.throttle('dynamodb', 'PutItem', { resourceId: TABLE })]);

    // Act
    const throttled = errorOf(() => account.call('dynamodb', 'PutItem', { TableName: TABLE, Item: lock('i-1', 'exec-1') }));
    account.call('dynamodb', 'PutItem', { TableName: TABLE, Item: lock('i-1', 'exec-1') });

    // Assess
    expect(throttled).toMatchObject({ name: 'ProvisionedThroughputExceededException', $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } });
    expect(account.calls.calls({ service: 'dynamodb' }).map((c) => [c.operation, c.attempt, c.error?.code, c.resourceIds])).toEqual([
      ['PutItem', 1, 'ProvisionedThroughputExceededException', [TABLE, 'i-1']],
      ['PutItem', 2, undefined, [TABLE, 'i-1']],
    ]);
    expect(account.dynamodb.items(TABLE)).toHaveLength(1);
  });

  it('refuses parameters it does not model rather than ignoring them', () => {
    // Prepare
    const account = lockAccount();

    // Act
    const error = errorOf(() => account.call('dynamodb', 'PutItem', { TableName: TABLE, Item: lock('i-1', 'x'), Expected: { LockId: { Exists: false } } }));

    // Assess
    expect(error).toBeInstanceOf(SimulatorError);
    expect(error.message).toBe('DynamoDB parameter Expected is not modelled by the simulator');
  });
});

describe('DynamoDB conditional writes', () => {
  it('puts a lock only when none exists: the second attempt fails with ConditionalCheckFailedException', () => {
    // Prepare
    const account = lockAccount();
    const take = (holder: string): unknown => account.call('dynamodb', 'PutItem', { TableName: TABLE, Item: lock('i-1', holder), ConditionExpression: 'attribute_not_exists(LockId)' });

    // Act
    take('exec-1');
    const error = errorOf(() => take('exec-2'));

    // Assess
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', $fault: 'client' });
    expect(account.dynamodb.items(TABLE)).toEqual([lock('i-1', 'exec-1')]);
    expect(account.calls.calls({ operation: 'PutItem' })[1]?.error).toEqual({ code: 'ConditionalCheckFailedException', message: 'The conditional request failed', injected: false });
  });

  it('takes over a stale lock with OR and a string comparison, and keeps a fresh one', () => {
    // Prepare
    const account = lockAccount([lock('stale', 'old', '2026-03-01T08:00:00Z'), lock('fresh', 'old', '2026-03-02T08:59:00Z')]);
    const take = (id: string): unknown =>
      account.call('dynamodb', 'PutItem', {
        TableName: TABLE,
        Item: lock(id, 'new'),
        ConditionExpression: 'attribute_not_exists(LockId) OR AcquiredAt < :staleBefore',
        ExpressionAttributeValues: { ':staleBefore': { S: '2026-03-01T09:00:00Z' } },
      });

    // Act
    take('stale');
    const fresh = errorOf(() => take('fresh'));

    // Assess
    expect(fresh.name).toBe('ConditionalCheckFailedException');
    expect(account.dynamodb.items(TABLE).map((i) => [i['LockId']?.S, i['Holder']?.S])).toEqual([
      ['stale', 'new'],
      ['fresh', 'old'],
    ]);
  });

  it('deletes only the holder’s own lock, and returns the item that failed the check on request', () => {
    // Prepare
    const account = lockAccount([lock('i-1', 'exec-1')]);
    const release = (me: string, extra: Record<string, unknown> = {}): unknown =>
      account.call('dynamodb', 'DeleteItem', { TableName: TABLE, Key: { LockId: { S: 'i-1' } }, ConditionExpression: 'Holder = :me', ExpressionAttributeValues: { ':me': { S: me } }, ...extra });

    // Act
    const notMine = errorOf(() => release('exec-2', { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
    const mine = release('exec-1', { ReturnValues: 'ALL_OLD' });

    // Assess
    expect(notMine).toBeInstanceOf(ConditionalCheckFailedException);
    expect((notMine as ConditionalCheckFailedException).Item).toEqual(lock('i-1', 'exec-1'));
    expect(mine).toHaveProperty('Attributes', lock('i-1', 'exec-1'));
    expect(account.dynamodb.items(TABLE)).toEqual([]);
  });

  it('fails a conditional delete of a missing item, and succeeds an unconditional one', () => {
    // Prepare
    const account = lockAccount();

    // Act
    const conditional = errorOf(() => account.call('dynamodb', 'DeleteItem', { TableName: TABLE, Key: { LockId: { S: 'i-1' } }, ConditionExpression: 'attribute_exists(LockId)' }));
    const plain = account.call('dynamodb', 'DeleteItem', { TableName: TABLE, Key: { LockId: { S: 'i-1' } } });

    // Assess
    expect(conditional.name).toBe('ConditionalCheckFailedException');
    expect(plain).not.toHaveProperty('Attributes');
  });

  it.each([
    ['an undefined :value', { ConditionExpression: 'Holder = :me' }, 'Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :me'],
    ['an undefined #name', { ConditionExpression: 'attribute_exists(#h)' }, 'Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #h'],
    ['a reserved word as an attribute name', { ConditionExpression: 'attribute_not_exists(Status)' }, 'Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Status'],
    ['an unused :value', { ConditionExpression: 'attribute_not_exists(LockId)', ExpressionAttributeValues: { ':x': { S: 'x' } } }, 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}'],
    ['an unused #name', { ConditionExpression: 'attribute_not_exists(LockId)', ExpressionAttributeNames: { '#s': 'Status' } }, 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#s}'],
    ['values without an expression', { ExpressionAttributeValues: { ':x': { S: 'x' } } }, 'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null'],
    ['an empty values map', { ConditionExpression: 'attribute_not_exists(LockId)', ExpressionAttributeValues: {} }, 'ExpressionAttributeValues must not be empty'],
    ['a syntax error', { ConditionExpression: 'attribute_not_exists(LockId) AND' }, 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'],
    ['a function DynamoDB does not have', { ConditionExpression: 'exists(LockId)' }, 'Invalid ConditionExpression: Invalid function name; function: exists'],
    ['attribute_exists of a value', { ConditionExpression: 'attribute_exists(:v)', ExpressionAttributeValues: { ':v': { S: 'x' } } }, 'Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists'],
    ['an ordering against a boolean', { ConditionExpression: 'Forced < :b', ExpressionAttributeValues: { ':b': { BOOL: true } } }, 'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL'],
  ])('refuses %s with ValidationException, before looking at the item', (_case, condition, message) => {
    // Prepare
    const account = lockAccount();

    // Act
    const error = errorOf(() => account.call('dynamodb', 'PutItem', { TableName: TABLE, Item: lock('i-1', 'exec-1'), ...condition }));

    // Assess
    expect(error).toMatchObject({ name: 'ValidationException', message });
    expect(account.dynamodb.items(TABLE)).toEqual([]);
  });

  it('accepts a reserved word through a #name placeholder', () => {
    // Prepare
    const account = lockAccount([{ ...lock('i-1', 'exec-1'), Status: { S: 'held' } }]);

    // Act
    account.call('dynamodb', 'PutItem', {
      TableName: TABLE,
      Item: lock('i-1', 'exec-2'),
      ConditionExpression: '#status = :held',
      ExpressionAttributeNames: { '#status': 'Status' },
      ExpressionAttributeValues: { ':held': { S: 'held' } },
    });

    // Assess
    expect(account.dynamodb.items(TABLE)[0]?.['Holder']).toEqual({ S: 'exec-2' });
  });

  it.each([
    ['BETWEEN', 'AcquiredAt BETWEEN :a AND :b', 'the BETWEEN operator'],
    ['IN', 'Holder IN (:a, :b)', 'the IN operator'],
    ['begins_with', 'begins_with(Holder, :a)', 'the function begins_with'],
    ['contains', 'contains(Holder, :a)', 'the function contains'],
    ['size', 'size(Holder) > :a', 'the function size'],
    ['attribute_type', 'attribute_type(Holder, :a)', 'the function attribute_type'],
  ])('refuses %s with a SimulatorError naming it, never evaluating it', (_case, expression, part) => {
    // Prepare
    const account = lockAccount();
    const values = { ':a': { S: 'a' }, ':b': { S: 'b' } };

    // Act
    const error = errorOf(() => account.call('dynamodb', 'PutItem', { TableName: TABLE, Item: lock('i-1', 'x'), ConditionExpression: expression, ExpressionAttributeValues: values }));

    // Assess
    expect(error).toBeInstanceOf(SimulatorError);
    expect(error.message).toContain(`${part} is not modelled by the simulator`);
    expect(account.dynamodb.items(TABLE)).toEqual([]);
  });
});

describe('DynamoDB condition expressions', () => {
  const item: Item = { Name: { S: 'alpha' }, Tally: { N: '10' }, Flag: { BOOL: true }, Nested: { M: { Parts: { L: [{ S: 'x' }, { N: '1.50' }] } } } };

  it.each([
    ['#n = :v', true],
    ['#n <> :v', false],
    ['Tally = :ten', true],
    ['Tally > :nine', true],
    ['Tally >= :ten AND Tally <= :ten', true],
    ['Tally < :nine', false],
    ['NOT Tally < :nine', true],
    ['NOT (Tally < :nine OR #n = :v)', false],
    ['Tally < :nine OR #n = :v AND Flag = :t', true],
    ['(Tally < :nine OR #n = :v) AND Flag = :f', false],
    ['attribute_exists(Nested.Parts[1])', true],
    ['attribute_exists(Nested.Parts[2])', false],
    ['Nested.Parts[1] = :onePointFive', true],
    ['Absent = :v', false],
    ['Absent <> :v', true],
    ['Absent < :v', false],
    ['Tally = :countAsString', false],
    ['Tally < :countAsString', false],
    ['attribute_not_exists(Absent) and Tally > :nine', true],
    ['attribute_exists(tally)', false],
  ])('%s is %s', (expression, expected) => {
    // Prepare
    const values = { ':v': { S: 'alpha' }, ':ten': { N: '10.0' }, ':nine': { N: '9' }, ':t': { BOOL: true }, ':f': { BOOL: false }, ':onePointFive': { N: '1.5' }, ':countAsString': { S: '10' } };

    // Act
    const result = holds(expression, item, values, { '#n': 'Name' });

    // Assess
    expect(result).toBe(expected);
  });

  it('treats a missing item as having no attribute', () => {
    // Act & Assess
    expect(holds('attribute_not_exists(LockId)', undefined)).toBe(true);
    expect(holds('attribute_exists(LockId)', undefined)).toBe(false);
    expect(holds('Holder <> :me', undefined, { ':me': { S: 'x' } })).toBe(true);
  });

  it('orders strings by UTF-8 bytes, as DynamoDB does, not by UTF-16 code units', () => {
    // Prepare: U+FF61 is below U+1F600 in UTF-8, above its surrogate pair in UTF-16.
    const [halfwidth, emoji] = ['\uff61', '\u{1f600}'];

    // Act
    const order = compareStrings(halfwidth, emoji);

    // Assess
    expect(halfwidth > emoji).toBe(true);
    expect(order).toBeLessThan(0);
    expect(holds('A < :e', { A: { S: halfwidth } }, { ':e': { S: emoji } })).toBe(true);
  });

  it('compares numbers as exact decimals', () => {
    // Act & Assess
    expect(compareNumbers('12345678901234567890123456789012345678', '12345678901234567890123456789012345679')).toBeLessThan(0);
    expect(compareNumbers('1e3', '1000.000')).toBe(0);
    expect(compareNumbers('-0.5', '-0.05')).toBeLessThan(0);
    expect(compareNumbers('0', '-0.0')).toBe(0);
    expect(compareNumbers('0.0012', '.001')).toBeGreaterThan(0);
    expect(compareNumbers('-3', '2')).toBeLessThan(0);
  });

  it('knows DynamoDB’s 573 reserved words, in any case', () => {
    // Act
    const refused = (name: string): boolean => {
      try {
        parseCondition(`attribute_exists(${name})`);
        return false;
      } catch (error) {
        return (error as Error).message.includes('reserved keyword');
      }
    };

    // Assess
    expect(DYNAMODB_RESERVED_WORDS.size).toBe(573);
    expect(['Status', 'name', 'OWNER', 'Lock', 'Date', 'Timestamp'].filter(refused)).toEqual(['Status', 'name', 'OWNER', 'Lock', 'Date', 'Timestamp']);
    expect(['LockId', 'Holder', 'AcquiredAt', 'Runbook'].filter(refused)).toEqual([]);
  });
});

describe('DynamoDB from runbook steps and SDK clients', () => {
  it('runs a lock runbook: takes the lock, works, releases it; a second run finds it held by a live execution and refuses', async () => {
    // Prepare
    const document = await loadDocument(documentPath('dynamodb-lock.yaml'));
    const account = lockAccount([lock('i-0aaaaaaaaaaaaaaa1', 'other-execution')]);
    account.ssm.recordAutomationExecution({ id: 'other-execution', documentName: 'dynamodb-lock', status: 'InProgress' });

    // Act
    const result = await simulate(document, { LockId: 'i-0aaaaaaaaaaaaaaa1' }, { account });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace.map((s) => [s.stepName, s.status])).toEqual([
      ['takeLock', 'Failed'],
      ['readHolder', 'Success'],
      ['readHolderStatus', 'Success'],
      ['refuseLocked', 'Failed'],
    ]);
    expect(result.trace[0]?.failureMessage).toBe('An error occurred (ConditionalCheckFailedException) when calling the PutItem operation: The conditional request failed');
    expect(result.outputs).toEqual({ 'readHolder.Holder': 'other-execution', 'readHolderStatus.Status': 'InProgress' });
    expect(account.dynamodb.items(TABLE)).toEqual([lock('i-0aaaaaaaaaaaaaaa1', 'other-execution')]);
  });

  it('takes and releases the lock when it is free', async () => {
    // Prepare
    const document = await loadDocument(documentPath('dynamodb-lock.yaml'));
    const account = lockAccount();

    // Act
    const result = await simulate(document, { LockId: 'i-1' }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.map((s) => s.stepName)).toEqual(['takeLock', 'work', 'releaseLock']);
    expect(account.calls.calls({ service: 'dynamodb' }).map((c) => [c.operation, c.caller?.stepName, c.error?.code])).toEqual([
      ['PutItem', 'takeLock', undefined],
      ['DeleteItem', 'releaseLock', undefined],
    ]);
    expect(account.dynamodb.items(TABLE)).toEqual([]);
  });

  it('refuses, before the first step, a runbook calling a DynamoDB operation the model does not implement', () => {
    // Prepare
    const document = parseDocument('update', `schemaVersion: '0.3'
mainSteps:
  - name: update
    action: aws:executeAwsApi
    inputs: { Service: dynamodb, Api: UpdateItem, TableName: ${TABLE} }
`);

    // Act
    const running = simulate(document, {}, { account: lockAccount() });

    // Assess
    return expect(running).rejects.toThrow('Step update: The account model does not implement dynamodb:UpdateItem');
  });

  it('serves a DynamoDBClient wired to the model, with the SDK’s exception classes', async () => {
    // Prepare
    const account = lockAccount();
    const stub = mockClient(DynamoDBClient);
    wireDynamoDbClient(stub, account);
    const client = new DynamoDBClient({ region: 'us-east-1' });

    // Act
    await client.send(new PutItemCommand({ TableName: TABLE, Item: lock('i-1', 'sdk'), ConditionExpression: 'attribute_not_exists(LockId)' }));
    const again = client.send(new PutItemCommand({ TableName: TABLE, Item: lock('i-1', 'sdk'), ConditionExpression: 'attribute_not_exists(LockId)' }));
    await expect(again).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const read = await client.send(new GetItemCommand({ TableName: TABLE, Key: { LockId: { S: 'i-1' } } }));
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { LockId: { S: 'i-1' } } }));

    // Assess
    expect(read.Item?.['Holder']).toEqual({ S: 'sdk' });
    expect(account.calls.calls({ service: 'dynamodb' }).map((c) => c.operation)).toEqual(['PutItem', 'PutItem', 'GetItem', 'DeleteItem']);
    expect(account.calls.calls()[0]?.caller).toBeUndefined();
    stub.restore();
  });
});

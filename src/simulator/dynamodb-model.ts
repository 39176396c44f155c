/**
 * The DynamoDB part of the account model: tables with a string partition key (no sort key), and
 * the item operations a runbook's lock needs, `PutItem`, `GetItem` and `DeleteItem`, with
 * condition expressions (dynamodb-expressions.ts). Reads are always consistent: there is one copy
 * of each item, so `ConsistentRead: false` reads the latest write too (Unconfirmed on AWS, where
 * an eventually consistent read may lag by a second).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { NUMBER, checkOperandTypes, evaluateCondition, parseCondition, typeOf, type Item } from './dynamodb-expressions.js';
import { SimulatorError, createAwsError } from './errors.js';
import { copy, fail, ok, requireString, type OperationTable } from './model-support.js';

/** A table as a snapshot gives it: its name and its partition key, a string (`S`). */
export interface DynamoDbTableDefinition {
  readonly TableName: string;
  /** The partition (hash) key attribute; its values are strings. */
  readonly KeyAttribute: string;
  /** Items already in the table, in the low-level shape. */
  readonly Items?: readonly Item[];
}

interface Table {
  readonly keyAttribute: string;
  /** By key value. */
  readonly items: Map<string, Item>;
}

/** Parameters the simulator knows DynamoDB accepts but does not model: refused, never ignored. */
const UNMODELLED_PARAMETERS = ['Expected', 'ConditionalOperator', 'AttributesToGet', 'ProjectionExpression', 'ReturnItemCollectionMetrics'];

function validation(message: string): never {
  return fail('dynamodb', 'ValidationException', message);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

function checkStrings(field: string, list: unknown, numbers: boolean): void {
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) validation(`Invalid type for parameter ${field}: expected a list of strings`);
  if (list.length === 0) validation(`One or more parameter values were invalid: An ${numbers ? 'number' : 'string'} set  may not be empty`);
  if (numbers && list.some((v) => !NUMBER.test(v as string))) validation('The parameter cannot be converted to a numeric value');
  if (new Set(list).size !== list.length) validation(`One or more parameter values were invalid: Input collection ${JSON.stringify(list)} contains duplicates.`);
}

/** Refuses an attribute value DynamoDB (or the SDK before it) would refuse. */
function checkAttributeValue(field: string, value: unknown): void {
  if (!isMap(value)) validation(`Invalid type for parameter ${field}: expected an AttributeValue map such as {"S": "text"}`);
  const type = typeOf(value as unknown as AttributeValue);
  if (type === undefined) validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  const inner = value[type];
  const at = `${field}.${type}`;
  switch (type) {
    case 'S':
      if (typeof inner !== 'string') validation(`Invalid type for parameter ${at}: expected a string`);
      break;
    case 'N':
      if (typeof inner !== 'string') validation(`Invalid type for parameter ${at}: expected a string`);
      if (!NUMBER.test(inner)) validation('The parameter cannot be converted to a numeric value');
      break;
    case 'BOOL':
      if (typeof inner !== 'boolean') validation(`Invalid type for parameter ${at}: expected a boolean`);
      break;
    case 'NULL':
      if (inner !== true) validation('One or more parameter values were invalid: Null attribute value types must have the value of true');
      break;
    case 'SS':
    case 'NS':
      checkStrings(at, inner, type === 'NS');
      break;
    case 'L':
      if (!Array.isArray(inner)) validation(`Invalid type for parameter ${at}: expected a list`);
      inner.forEach((item, i) => checkAttributeValue(`${at}[${i}]`, item));
      break;
    case 'M':
      if (!isMap(inner)) validation(`Invalid type for parameter ${at}: expected a map`);
      for (const [key, item] of Object.entries(inner)) checkAttributeValue(`${at}.${key}`, item);
      break;
    default:
      // B and BS: bytes, or base64 text through botocore; not inspected further.
      break;
  }
}

function attributeMap(input: Record<string, unknown>, field: string, required: boolean): Item | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    if (required) validation(`The request must contain the parameter ${field}`);
    return undefined;
  }
  if (!isMap(value)) validation(`Invalid type for parameter ${field}: expected a map`);
  for (const [name, attribute] of Object.entries(value)) checkAttributeValue(`${field}.${name}`, attribute);
  return value as Item;
}

function returnValues(input: Record<string, unknown>, field: string): 'NONE' | 'ALL_OLD' {
  const value = input[field] ?? 'NONE';
  if (value !== 'NONE' && value !== 'ALL_OLD') validation(field === 'ReturnValues' ? 'Return values set to invalid value' : `${field} must be NONE or ALL_OLD`);
  return value;
}

export class DynamoDbModel {
  private readonly tables = new Map<string, Table>();

  /** Adds tables (and their items). */
  seedTables(definitions: readonly DynamoDbTableDefinition[]): void {
    for (const definition of definitions) {
      if (definition.TableName === '' || definition.KeyAttribute === '') throw new SimulatorError('A seeded DynamoDB table needs a TableName and a KeyAttribute');
      this.tables.set(definition.TableName, { keyAttribute: definition.KeyAttribute, items: new Map() });
      this.seedItems(definition.TableName, definition.Items ?? []);
    }
  }

  /** Puts items straight into a table, without a call (each needs its key attribute as `{ S }`). */
  seedItems(tableName: string, items: readonly Item[]): void {
    const table = this.known(tableName);
    for (const item of items) {
      const key = item[table.keyAttribute]?.S;
      if (key === undefined || key === '') throw new SimulatorError(`A seeded item of table ${tableName} needs its key ${table.keyAttribute} as a non-empty { S } value`);
      table.items.set(key, copy(item));
    }
  }

  /** Every item of a table, as GetItem would return each (in the order their keys were first written), to inspect in tests. */
  items(tableName: string): Item[] {
    return [...this.known(tableName).items.values()].map((item) => copy(item));
  }

  operations(): OperationTable {
    return {
      PutItem: (i) => this.putItem(i),
      GetItem: (i) => this.getItem(i),
      DeleteItem: (i) => this.deleteItem(i),
    };
  }

  private known(tableName: string): Table {
    const table = this.tables.get(tableName);
    if (table === undefined) throw new SimulatorError(`The account has no DynamoDB table ${tableName} (seed it with dynamoDbTables)`);
    return table;
  }

  private table(input: Record<string, unknown>): Table {
    const name = requireString('dynamodb', input, 'TableName');
    for (const parameter of UNMODELLED_PARAMETERS) {
      if (input[parameter] !== undefined) throw new SimulatorError(`DynamoDB parameter ${parameter} is not modelled by the simulator`);
    }
    if (input['ReturnConsumedCapacity'] !== undefined && input['ReturnConsumedCapacity'] !== 'NONE') throw new SimulatorError('DynamoDB parameter ReturnConsumedCapacity is not modelled by the simulator');
    const table = this.tables.get(name);
    if (table === undefined) fail('dynamodb', 'ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  /** The key value of a Key parameter: exactly the table's key attribute, a non-empty string. */
  private keyOf(table: Table, key: Item): string {
    const names = Object.keys(key);
    const value = key[table.keyAttribute];
    if (names.length !== 1 || value === undefined || typeOf(value) !== 'S') validation('The provided key element does not match the schema');
    return this.nonEmptyKey(table, value.S as string);
  }

  private nonEmptyKey(table: Table, value: string): string {
    if (value === '') validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${table.keyAttribute}`);
    return value;
  }

  /** The key value of an item to put. */
  private itemKey(table: Table, item: Item): string {
    const value = item[table.keyAttribute];
    if (value === undefined) validation(`One or more parameter values were invalid: Missing the key ${table.keyAttribute} in the item`);
    const type = typeOf(value);
    if (type !== 'S') validation(`One or more parameter values were invalid: Type mismatch for key ${table.keyAttribute} expected: S actual: ${type}`);
    return this.nonEmptyKey(table, value.S as string);
  }

  /**
   * Checks the condition of a write against the item as it is: nothing to check without a
   * ConditionExpression; otherwise DynamoDB's checks on the placeholders, then the evaluation.
   */
  private checkCondition(input: Record<string, unknown>, current: Item | undefined): void {
    const expression = input['ConditionExpression'];
    const names = input['ExpressionAttributeNames'];
    const values = attributeMap(input, 'ExpressionAttributeValues', false);
    if (names !== undefined && (!isMap(names) || Object.values(names).some((v) => typeof v !== 'string'))) validation('Invalid type for parameter ExpressionAttributeNames: expected a map of strings');
    if (expression === undefined) {
      if (names !== undefined) validation('ExpressionAttributeNames can only be specified when using expressions');
      if (values !== undefined) validation('ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null');
      return;
    }
    if (typeof expression !== 'string') validation('Invalid type for parameter ConditionExpression: expected a string');
    if (names !== undefined && Object.keys(names).length === 0) validation('ExpressionAttributeNames must not be empty');
    if (values !== undefined && Object.keys(values).length === 0) validation('ExpressionAttributeValues must not be empty');
    const parsed = parseCondition(expression, names as Record<string, string> | undefined, values);
    const unusedNames = Object.keys(names ?? {}).filter((name) => !parsed.namesUsed.has(name));
    if (unusedNames.length > 0) validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    const unusedValues = Object.keys(values ?? {}).filter((name) => !parsed.valuesUsed.has(name));
    if (unusedValues.length > 0) validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
    checkOperandTypes(parsed.condition);
    if (!evaluateCondition(parsed.condition, current)) {
      const error = createAwsError('dynamodb', 'ConditionalCheckFailedException', 'The conditional request failed');
      if (current !== undefined && returnValues(input, 'ReturnValuesOnConditionCheckFailure') === 'ALL_OLD') Object.assign(error, { Item: copy(current) });
      throw error;
    }
  }

  private putItem(input: Record<string, unknown>): object {
    const table = this.table(input);
    const item = attributeMap(input, 'Item', true) as Item;
    const mode = returnValues(input, 'ReturnValues');
    returnValues(input, 'ReturnValuesOnConditionCheckFailure');
    const key = this.itemKey(table, item);
    const current = table.items.get(key);
    this.checkCondition(input, current);
    table.items.set(key, copy(item));
    return ok(mode === 'ALL_OLD' && current !== undefined ? { Attributes: copy(current) } : {});
  }

  private getItem(input: Record<string, unknown>): object {
    const table = this.table(input);
    const key = this.keyOf(table, attributeMap(input, 'Key', true) as Item);
    const consistent = input['ConsistentRead'];
    if (consistent !== undefined && typeof consistent !== 'boolean') validation('Invalid type for parameter ConsistentRead: expected a boolean');
    const item = table.items.get(key);
    return ok(item === undefined ? {} : { Item: copy(item) });
  }

  private deleteItem(input: Record<string, unknown>): object {
    const table = this.table(input);
    const key = this.keyOf(table, attributeMap(input, 'Key', true) as Item);
    const mode = returnValues(input, 'ReturnValues');
    returnValues(input, 'ReturnValuesOnConditionCheckFailure');
    const current = table.items.get(key);
    this.checkCondition(input, current);
    table.items.delete(key);
    return ok(mode === 'ALL_OLD' && current !== undefined ? { Attributes: copy(current) } : {});
  }
}

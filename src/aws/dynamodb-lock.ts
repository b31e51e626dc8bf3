import { hostname } from 'node:os';
import {
  ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, ResourceNotFoundException,
  type AttributeValue, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { FiredrillError } from '../runtime/errors.js';
import { dynamoDbClient, type AwsTarget } from './clients.js';
import { arnsIn, type Grant, type PermissionScope } from './permissions.js';

/**
 * An environment lock shared by every machine that runs drills: one item per environment in a
 * DynamoDB table whose partition key is `environment` (string). A conditional PutItem is atomic
 * and strongly consistent, so two runners cannot both take it; `expiresAt` (epoch seconds) lets a
 * dead owner's lock be taken over, and can be the table's TTL attribute so such items go away.
 */
/** The lock's three calls, on the one table, on the environment's own item only. */
export function lockPermissions(lock: { table: string; region: string }, environment: string, scope: PermissionScope): Grant[] {
  return [{
    purpose: 'HoldEnvironmentLock',
    actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
    resources: arnsIn(scope, 'dynamodb', lock.region, `table/${lock.table}`),
    condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [environment] } },
  }];
}

export interface LockHolder {
  drillId: string;
  /** host/pid of the process that took it. */
  owner: string;
  expiresAtMs: number;
}

export type LockAttempt =
  | { acquired: true; release(): Promise<void> }
  | { acquired: false; holder: LockHolder };

export interface DynamoDbLockTable {
  tryAcquire(request: { environment: string; drillId: string; ttlMs: number }): Promise<LockAttempt>;
}

export function dynamoDbLockTable(target: AwsTarget, table: string): DynamoDbLockTable {
  const where = `DynamoDB table "${table}" in ${target.region}`;
  const explain = (error: unknown): Error => error instanceof ResourceNotFoundException
    ? new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `lock.dynamodb: ${where} does not exist: create it with partition key "environment" (string), and TTL on "expiresAt"`)
    : new FiredrillError('FIREDRILL_PREFLIGHT', `could not use the lock in ${where}: ${(error as Error).name}: ${(error as Error).message}`);

  const holderOf = (item: Record<string, AttributeValue> | undefined): LockHolder | undefined =>
    item?.drillId?.S ? { drillId: item.drillId.S, owner: item.owner?.S ?? 'unknown owner', expiresAtMs: Number(item.expiresAt?.N ?? 0) * 1000 } : undefined;

  /** True when the lock was taken; otherwise who holds it (undefined: released while we read it). */
  const put = async (client: DynamoDBClient, environment: string, drillId: string, ttlMs: number): Promise<true | LockHolder | undefined> => {
    const now = Date.now();
    try {
      await client.send(new PutItemCommand({
        TableName: table,
        Item: {
          environment: { S: environment },
          drillId: { S: drillId },
          owner: { S: `${hostname()}/${process.pid}` },
          acquiredAt: { S: new Date(now).toISOString() },
          expiresAt: { N: String(Math.ceil((now + ttlMs) / 1000)) },
        },
        ConditionExpression: 'attribute_not_exists(environment) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': { N: String(Math.floor(now / 1000)) } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return holderOf(error.Item) ?? holderOf((await client.send(new GetItemCommand({ TableName: table, Key: { environment: { S: environment } }, ConsistentRead: true }))).Item);
    }
  };

  return {
    async tryAcquire({ environment, drillId, ttlMs }) {
      const client = dynamoDbClient(target);
      let taken = false;
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          const result = await put(client, environment, drillId, ttlMs);
          if (result === true) {
            taken = true;
            return { acquired: true, release: () => release(client, environment, drillId) };
          }
          if (result) return { acquired: false, holder: result };
        }
        throw new FiredrillError('FIREDRILL_LOCKED', `environment "${environment}": the lock in ${where} kept changing hands while this drill tried to take it: try again`);
      } catch (error) {
        throw error instanceof FiredrillError ? error : explain(error);
      } finally {
        if (!taken) client.destroy();
      }
    },
  };

  /** Deletes the item only while it is still ours: an expired lock may have been taken over since. */
  async function release(client: DynamoDBClient, environment: string, drillId: string): Promise<void> {
    try {
      await client.send(new DeleteItemCommand({
        TableName: table,
        Key: { environment: { S: environment } },
        ConditionExpression: 'drillId = :mine',
        ExpressionAttributeValues: { ':mine': { S: drillId } },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw explain(error);
    } finally {
      client.destroy();
    }
  }
}

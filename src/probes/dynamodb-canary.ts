import { PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CanaryStore } from './replicated-store-canary.js';

/**
 * A canary store in a DynamoDB (global) table whose key is a string partition key and a
 * number sort key (names given): one item per record, partition `firedrill-canary#<runId>`,
 * sort key the seq. Reading queries that partition with strongly consistent reads, which a
 * global table serves from the Region asked, so what it finds is what that Region has.
 */
/** Every canary item's partition key starts so: `firedrill-canary#<runId>`. */
export const CANARY_PARTITION_PREFIX = 'firedrill-canary#';

export function dynamoDbCanaryStore(client: DynamoDBClient, where: { table: string; region: string; partitionKey: string; sortKey: string }): CanaryStore {
  const partition = (runId: string) => `${CANARY_PARTITION_PREFIX}${runId}`;
  return {
    label: `dynamodb:${where.table} (${where.region})`,
    close: () => client.destroy(),
    async write(record, abortSignal) {
      await client.send(new PutItemCommand({
        TableName: where.table,
        Item: {
          [where.partitionKey]: { S: partition(record.runId) },
          [where.sortKey]: { N: String(record.seq) },
          committedAtMs: { N: String(record.committedAtMs) },
        },
      }), { abortSignal });
    },
    async readPresent(runId, abortSignal) {
      const present = new Map<number, number>();
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new QueryCommand({
          TableName: where.table,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': where.partitionKey },
          ExpressionAttributeValues: { ':pk': { S: partition(runId) } },
          ConsistentRead: true,
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }), { abortSignal });
        for (const item of page.Items ?? []) present.set(Number(item[where.sortKey]?.N), Number(item.committedAtMs?.N));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return present;
    },
  };
}

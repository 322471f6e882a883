import { Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';

/** Secondary indexes of the single table (see shared/store for what each serves). */
export const TABLE_INDEXES = ['gsi1', 'gsi2'] as const;

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * What holds data: the single table and the event bus. Kept apart from the
 * stateless stack so refactoring functions or the API can never replace them.
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new Table(this, 'Table', {
      tableName: `oms-${config.stage}`,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      // Feeds the outbox relay; old images let consumers see what changed.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: config.table.pointInTimeRecovery },
      deletionProtection: config.table.deletionProtection,
      removalPolicy: config.removalPolicy,
    });
    for (const index of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: `${index}pk`, type: AttributeType.STRING },
        sortKey: { name: `${index}sk`, type: AttributeType.STRING },
      });
    }

    if (!config.table.pointInTimeRecovery) {
      Validations.of(this.table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: `Stage ${config.stage} holds disposable test data, recreated by seeding; staging and prod keep PITR on.`,
      });
    }

    this.bus = new EventBus(this, 'Bus', { eventBusName: `oms-${config.stage}` });
  }
}

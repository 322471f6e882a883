import { Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { INDEX_NAMES, TABLE_SCHEMA } from '../../shared/store/table-schema';
import type { StageConfig } from '../config';
import { providerSecrets, type ProviderSecrets } from '../constructs/payment-providers';
import { carrierSecrets, type CarrierSecrets } from '../constructs/carrier-providers';
import { EventLake } from '../constructs/event-lake';

/** Secondary indexes of the single table (declared in shared/store/table-schema.ts; keys.md says what each serves). */
export const TABLE_INDEXES = INDEX_NAMES;

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
  /** Signs list cursors (shared/store/cursor.ts); see OmsFunction.bindCursorSecret. */
  readonly cursorSecret: Secret;
  /** Signs payment vouchers' verification codes (shared/payments/receipt.ts). */
  readonly receiptSecret: Secret;
  /** Payment providers' merchant credentials, one secret each (filled in by an operator). */
  readonly providerSecrets: ProviderSecrets;
  /** Carriers' and tracking providers' credentials, one secret each (filled in by an operator). */
  readonly carrierSecrets: CarrierSecrets;
  /** Seals outbound webhooks' signing secrets at rest (shared/app/webhook-transport.ts). */
  readonly webhookSecretKey: Secret;
  /** Every event on the bus: archive for replay, Firehose to S3, Glue table and Athena. */
  readonly lake: EventLake;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new Table(this, 'Table', {
      tableName: `oms-${config.stage}`,
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      // Feeds the outbox relay; old images let consumers see what changed.
      stream: StreamViewType[TABLE_SCHEMA.streamViewType],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: config.table.pointInTimeRecovery },
      deletionProtection: config.table.deletionProtection,
      removalPolicy: config.removalPolicy,
    });
    for (const index of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: TABLE_SCHEMA.indexes[index].partitionKey, type: AttributeType.STRING },
        sortKey: { name: TABLE_SCHEMA.indexes[index].sortKey, type: AttributeType.STRING },
      });
    }

    if (!config.table.pointInTimeRecovery) {
      Validations.of(this.table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: `Stage ${config.stage} holds disposable test data, recreated by seeding; staging and prod keep PITR on.`,
      });
    }

    this.bus = new EventBus(this, 'Bus', { eventBusName: `oms-${config.stage}` });

    // Kept with the data, so redeploying the stateless stack leaves cursors in flight valid.
    this.cursorSecret = new Secret(this, 'CursorSecret', {
      description: `OMS (${config.stage}): HMAC key of list cursors`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: config.removalPolicy,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Signs pagination cursors only (no access to data). Functions get it at deploy time; to rotate, change the value and redeploy the API stack: only cursors in flight stop working.',
    });

    // Kept with the data like the cursor key, but apart from it: vouchers are kept for
    // years, so rotating the cursor key must not void their codes.
    this.receiptSecret = new Secret(this, 'ReceiptSecret', {
      description: `OMS (${config.stage}): HMAC key of payment vouchers' verification codes`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: config.removalPolicy,
    });
    Validations.of(this.receiptSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Signs voucher verification codes, which printed vouchers carry for years: rotating it voids every code issued, so it is changed only if it leaks.',
    });
    // Seals webhook subscriptions' signing secrets in the table: kept with the data it opens.
    this.webhookSecretKey = new Secret(this, 'WebhookSecretKey', {
      description: `OMS (${config.stage}): key sealing outbound webhooks' signing secrets at rest`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: config.removalPolicy,
    });
    Validations.of(this.webhookSecretKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Seals stored webhook signing secrets; rotating it would make every stored secret unreadable. Partners\' secrets themselves rotate through PUT /integrations/webhooks/{id}.',
    });
    // Kept with the data too: their values are pasted in by hand and must survive an API stack redeploy.
    this.providerSecrets = providerSecrets(this, config);
    this.carrierSecrets = carrierSecrets(this, config);

    // Kept with the data: the lake's files outlive any redeploy of the stateless stack.
    this.lake = new EventLake(this, 'EventLake', { config, bus: this.bus });
  }
}

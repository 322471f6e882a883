import { Duration } from 'aws-cdk-lib';
import { AlarmStatusWidget, Dashboard, GraphWidget, Metric, TextWidget, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { metricsNamespace, type StageConfig } from '../config';
import { COUNTS, LATENCIES, METRIC_SERVICE, type CountName, type LatencyName } from '../../shared/observability/metric-names';
import type { OmsHttpApi } from './http-api';

export interface OpsDashboardProps {
  readonly config: StageConfig;
  readonly api: OmsHttpApi;
  /** every alarm of the stage, shown by state */
  readonly alarms: readonly IAlarm[];
}

const PERIOD = Duration.minutes(5);

/** One CloudWatch dashboard per stage: the business metrics, order latency, the API and every alarm. */
export class OpsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const { config } = props;
    const metric = (name: CountName | LatencyName, statistic = 'Sum', label: string = name) => new Metric({
      namespace: metricsNamespace(config.stage), metricName: name, dimensionsMap: { service: METRIC_SERVICE }, statistic, period: PERIOD, label,
    });
    const counts = (title: string, names: CountName[]) => new GraphWidget({ title, width: 8, left: names.map((n) => metric(n)) });
    const latency = (title: string, name: LatencyName) => new GraphWidget({
      title, width: 8, leftYAxis: { label: 'ms', showUnits: false }, left: [metric(name, 'p50', 'p50'), metric(name, 'p99', 'p99')],
    });
    const stage = props.api.stage;

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `oms-${config.stage}`,
      defaultInterval: Duration.days(1),
      widgets: [
        [new TextWidget({ width: 24, height: 1, markdown: `# OMS ${config.stage}: business metrics (${metricsNamespace(config.stage)}), API and alarms` })],
        [
          counts('Orders', [COUNTS.ordersPlaced, COUNTS.ordersApproved, COUNTS.ordersRejectedForStock, COUNTS.ordersExpired]),
          counts('Payments', [COUNTS.paymentsSucceeded, COUNTS.paymentsFailed, COUNTS.refunds]),
          counts('Shipping', [COUNTS.shipments, COUNTS.deliveries, COUNTS.returns]),
        ],
        [
          latency('Placed to reserved', LATENCIES.placedToReserved),
          latency('Placed to paid', LATENCIES.placedToPaid),
          counts('Refused callbacks, drift', [COUNTS.callbacksRejectedBySignature, COUNTS.stockDrifts, COUNTS.paymentDrifts]),
        ],
        [
          new GraphWidget({
            title: 'API requests and errors', width: 12,
            left: [stage.metricCount({ period: PERIOD, statistic: 'Sum' })],
            right: [stage.metricClientError({ period: PERIOD, statistic: 'Sum' }), stage.metricServerError({ period: PERIOD, statistic: 'Sum' })],
          }),
          new GraphWidget({
            title: 'API latency', width: 12, leftYAxis: { label: 'ms', showUnits: false },
            left: [stage.metricLatency({ period: PERIOD, statistic: 'p50', label: 'p50' }), stage.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99' })],
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', width: 24, height: Math.max(3, Math.ceil(props.alarms.length / 4) + 1), alarms: [...props.alarms] })],
      ],
    });
  }
}

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { onInvocationEnd } from '../middleware/logger';
import { METRIC_SERVICE, type CountName, type LatencyName } from './metric-names';

// Business metrics as CloudWatch embedded metric format (EMF): one JSON line on stdout
// per invocation that recorded any, which CloudWatch Logs turns into metrics under the
// stage's namespace (POWERTOOLS_METRICS_NAMESPACE, set per stage by the CDK app). The
// local cloud reads the same lines from the functions' output (GET /_local/metrics).
// Handlers record where a use case concluded; the domain knows nothing of this.

export { COUNTS, LATENCIES, METRIC_SERVICE, SIGNATURE_FAILURES, type CountName, type LatencyName } from './metric-names';

const metrics = new Metrics({ serviceName: METRIC_SERVICE });

/** The port handlers record through (tests pass their own). */
export interface BusinessMetrics {
  count(name: CountName, value?: number): void;
  /** milliseconds from `from` to `to`; nothing when `from` is unknown */
  latency(name: LatencyName, from: string | Date | undefined, to: Date): void;
}

export const businessMetrics: BusinessMetrics = {
  count(name, value = 1) {
    if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
  },
  latency(name, from, to) {
    if (from === undefined) return;
    const ms = to.getTime() - new Date(from).getTime();
    if (Number.isFinite(ms) && ms >= 0) metrics.addMetric(name, MetricUnit.Milliseconds, ms);
  },
};

/** Writes what this invocation recorded (one EMF line), if it recorded anything. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
// every invocation through the shared middleware (http, sqsBatch, the run and request wrappers) ends with it
onInvocationEnd(flushMetrics);

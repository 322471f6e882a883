// Business metrics in the local cloud. Functions write them as CloudWatch embedded metric
// format (EMF) lines on stdout, as in Lambda, where CloudWatch Logs extracts them; here the
// runtime's output hook hands every line to observe(), which keeps the data points, answers
// GET /_local/metrics with them, and gives the console a short line instead of the JSON.

/** One value of one metric, as CloudWatch would store it. */
export interface MetricPoint {
  at: string;
  namespace: string;
  name: string;
  unit: string;
  value: number;
  dimensions: Record<string, string>;
  /** the function that wrote it */
  function: string;
}

/** What GET /_local/metrics answers per metric: like CloudWatch's statistics over the points kept. */
export interface MetricSummary {
  namespace: string;
  name: string;
  unit: string;
  samples: number;
  sum: number;
  min: number;
  max: number;
  average: number;
  p99: number;
  last: string;
}

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string }[];
}

/** The EMF directive of a line, or undefined for any other line (ordinary logs). */
function parseEmf(line: string): { directives: EmfDirective[]; timestamp: number; body: Record<string, unknown> } | undefined {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return undefined;
  try {
    const body = JSON.parse(line) as { _aws?: { Timestamp?: number; CloudWatchMetrics?: EmfDirective[] } } & Record<string, unknown>;
    const directives = body._aws?.CloudWatchMetrics;
    if (!Array.isArray(directives)) return undefined;
    return { directives, timestamp: body._aws?.Timestamp ?? Date.now(), body };
  } catch {
    return undefined;
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

const show = (value: number, unit: string) => (unit === 'Milliseconds' ? `${value}ms` : String(value));

export class LocalMetrics {
  private readonly points: MetricPoint[] = [];

  /** At most this many points are kept (the oldest go first). */
  constructor(private readonly limit = 50_000) {}

  /**
   * Takes a function's output line: an EMF line is recorded and comes back as a short
   * readable line (`metrics OMS/dev: OrdersPlaced=1 PlacedToReserved=12ms`); any other line comes back unchanged.
   */
  observe(fn: string, line: string): string {
    const emf = parseEmf(line);
    if (!emf) return line;
    const at = new Date(emf.timestamp).toISOString();
    const shown: string[] = [];
    for (const d of emf.directives) {
      const dimensions = Object.fromEntries([...new Set(d.Dimensions.flat())].map((k) => [k, String(emf.body[k])]));
      for (const m of d.Metrics) {
        const raw = emf.body[m.Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
        const unit = m.Unit ?? 'None';
        for (const value of values) this.points.push({ at, namespace: d.Namespace, name: m.Name, unit, value, dimensions, function: fn });
        shown.push(`${m.Name}=${values.map((v) => show(v, unit)).join(',')}`);
      }
      if (this.points.length > this.limit) this.points.splice(0, this.points.length - this.limit);
      shown.unshift(`metrics ${d.Namespace}:`);
    }
    return shown.join(' ');
  }

  /** The points kept, optionally of one metric name and since a time. */
  query(filter: { name?: string; since?: string } = {}): MetricPoint[] {
    return this.points.filter((p) => (!filter.name || p.name === filter.name) && (!filter.since || p.at >= filter.since));
  }

  /** Per namespace and metric: samples, sum, min, max, average and p99 of the points kept. */
  summary(filter: { name?: string; since?: string } = {}): MetricSummary[] {
    const groups = new Map<string, MetricPoint[]>();
    for (const p of this.query(filter)) {
      const key = `${p.namespace}\u0000${p.name}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    return [...groups.values()].map((ps) => {
      const values = ps.map((p) => p.value).sort((a, b) => a - b);
      const sum = values.reduce((a, b) => a + b, 0);
      return {
        namespace: ps[0]!.namespace, name: ps[0]!.name, unit: ps[0]!.unit, samples: values.length, sum,
        min: values[0]!, max: values.at(-1)!, average: sum / values.length, p99: percentile(values, 99), last: ps.at(-1)!.at,
      };
    }).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }
}

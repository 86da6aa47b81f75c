/**
 * Prometheus text exposition of request counts and latencies per route, and
 * of sign-in outcomes. Counters live in memory per process; a scraper sums
 * the instances.
 */

const BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #gauges = new Map<string, { help: string; read: () => Promise<number> }>();

  observe(method: string, route: string, status: number, ms: number): void {
    const requestKey = `method="${method}",route="${route}",status="${status}"`;
    this.#requests.set(requestKey, (this.#requests.get(requestKey) ?? 0) + 1);
    const latencyKey = `method="${method}",route="${route}"`;
    let histogram = this.#latency.get(latencyKey);
    if (!histogram) {
      histogram = { counts: BUCKETS_MS.map(() => 0), sum: 0, count: 0 };
      this.#latency.set(latencyKey, histogram);
    }
    histogram.counts = histogram.counts.map((count, i) => (ms <= (BUCKETS_MS[i] ?? 0) ? count + 1 : count));
    histogram.sum += ms / 1000;
    histogram.count += 1;
  }

  /** A value read at scrape time (e.g. active sessions, from the database). */
  gauge(name: string, help: string, read: () => Promise<number>): void {
    this.#gauges.set(name, { help, read });
  }

  async render(): Promise<string> {
    const lines = [
      '# HELP gatehouse_http_requests_total Requests answered, by route and status.',
      '# TYPE gatehouse_http_requests_total counter',
    ];
    for (const [labels, value] of this.#requests)
      lines.push(`gatehouse_http_requests_total{${labels}} ${value}`);
    lines.push(
      '# HELP gatehouse_http_request_duration_seconds Time to answer, by route.',
      '# TYPE gatehouse_http_request_duration_seconds histogram',
    );
    for (const [labels, h] of this.#latency) {
      BUCKETS_MS.forEach((le, i) => {
        lines.push(
          `gatehouse_http_request_duration_seconds_bucket{${labels},le="${le / 1000}"} ${h.counts[i]}`,
        );
      });
      lines.push(`gatehouse_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`gatehouse_http_request_duration_seconds_sum{${labels}} ${h.sum}`);
      lines.push(`gatehouse_http_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    for (const [name, gauge] of this.#gauges) {
      lines.push(`# HELP ${name} ${gauge.help}`, `# TYPE ${name} gauge`, `${name} ${await gauge.read()}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

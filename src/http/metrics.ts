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
  readonly #routes = new Map<string, { statuses: Map<number, number>; latency: Histogram }>();
  readonly #gauges = new Map<string, { help: string; read: () => Promise<number> }>();

  observe(method: string, route: string, status: number, ms: number): void {
    const key = `${method} ${route}`;
    let entry = this.#routes.get(key);
    if (!entry) {
      entry = { statuses: new Map(), latency: { counts: BUCKETS_MS.map(() => 0), sum: 0, count: 0 } };
      this.#routes.set(key, entry);
    }
    entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
    const { latency } = entry;
    for (let i = 0; i < BUCKETS_MS.length; i++) {
      if (ms <= (BUCKETS_MS[i] as number)) latency.counts[i] = (latency.counts[i] as number) + 1;
    }
    latency.sum += ms / 1000;
    latency.count += 1;
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
    const labelled = [...this.#routes].map(([key, entry]) => {
      const [method, route] = key.split(' ');
      return { labels: `method="${method}",route="${route}"`, ...entry };
    });
    for (const { labels, statuses } of labelled) {
      for (const [status, value] of statuses) {
        lines.push(`gatehouse_http_requests_total{${labels},status="${status}"} ${value}`);
      }
    }
    lines.push(
      '# HELP gatehouse_http_request_duration_seconds Time to answer, by route.',
      '# TYPE gatehouse_http_request_duration_seconds histogram',
    );
    for (const { labels, latency: h } of labelled) {
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

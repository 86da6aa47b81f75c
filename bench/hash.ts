/**
 * Password hashing throughput and event-loop responsiveness, through the same
 * PasswordHashers registry the app uses, at OWASP argon2id parameters.
 *
 *   npm run bench:hash
 *
 * Each scenario runs for about 3 seconds, so the whole run takes about 10.
 * Exits 1 if the event loop's p99 delay reaches 5 ms while hashing: hashing
 * must stay on libuv's thread pool and never stall other requests.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { argon2idHasher, PasswordHashers } from '../src/passwords/index.js';

const SCENARIO_MS = 3000;
const IDLE_MS = 1000;
const P99_LIMIT_MS = 5;
// The monitor samples with a 1 ms timer and records whole intervals; the delay is what exceeds it.
const RESOLUTION_MS = 1;

interface Row {
  scenario: string;
  hashesPerSecond: number | null;
  meanLatencyMs: number | null;
  p50DelayMs: number;
  p99DelayMs: number;
  maxDelayMs: number;
}

async function measure(
  scenario: string,
  work: (deadline: number) => Promise<number>,
  durationMs: number,
): Promise<Row> {
  const monitor = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const started = performance.now();
  monitor.enable();
  const completed = await work(started + durationMs);
  monitor.disable();
  const seconds = (performance.now() - started) / 1000;
  const delay = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);
  return {
    scenario,
    hashesPerSecond: completed > 0 ? completed / seconds : null,
    meanLatencyMs: null,
    p50DelayMs: delay(monitor.percentile(50)),
    p99DelayMs: delay(monitor.percentile(99)),
    maxDelayMs: delay(monitor.max),
  };
}

function hashingWith(hashers: PasswordHashers, callers: number) {
  return async (deadline: number): Promise<number> => {
    let completed = 0;
    const caller = async (id: number) => {
      for (let n = 0; performance.now() < deadline; n++) {
        await hashers.hash(`bench-password-${id}-${n}`);
        completed++;
      }
    };
    await Promise.all(Array.from({ length: callers }, (_, id) => caller(id)));
    return completed;
  };
}

const idle = (deadline: number) =>
  new Promise<number>((resolve) => setTimeout(() => resolve(0), Math.max(0, deadline - performance.now())));

async function main(): Promise<void> {
  const hashers = new PasswordHashers({ default: argon2idHasher() });
  // Loads the native binding and starts the pool's threads before anything is timed.
  await hashers.hash('warm-up');

  const rows = [await measure('idle (baseline)', idle, IDLE_MS)];
  for (const callers of [1, 2, 4]) {
    const row = await measure(
      `${callers} caller${callers === 1 ? '' : 's'}`,
      hashingWith(hashers, callers),
      SCENARIO_MS,
    );
    // Little's law: callers always waiting on a hash, divided by throughput.
    row.meanLatencyMs = row.hashesPerSecond ? (callers / row.hashesPerSecond) * 1000 : null;
    rows.push(row);
  }

  const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  console.log(
    `argon2id m=19456 t=2 p=1 · Node ${process.version} · ${availableParallelism()} CPUs · libuv pool ${poolSize}` +
      ` · maxConcurrency default ${Math.max(1, Math.min(availableParallelism(), poolSize - 1))}\n`,
  );
  console.table(
    rows.map((row) => ({
      scenario: row.scenario,
      'hashes/s': row.hashesPerSecond === null ? '-' : row.hashesPerSecond.toFixed(0),
      'ms/hash': row.meanLatencyMs === null ? '-' : row.meanLatencyMs.toFixed(1),
      'loop delay p50 ms': row.p50DelayMs.toFixed(2),
      'loop delay p99 ms': row.p99DelayMs.toFixed(2),
      'loop delay max ms': row.maxDelayMs.toFixed(2),
    })),
  );

  const worst = Math.max(...rows.slice(1).map((row) => row.p99DelayMs));
  if (worst >= P99_LIMIT_MS) {
    console.error(
      `FAIL: event-loop p99 delay ${worst.toFixed(2)} ms while hashing (limit ${P99_LIMIT_MS} ms).`,
    );
    process.exitCode = 1;
  } else {
    console.log(
      `OK: event-loop p99 delay stayed under ${P99_LIMIT_MS} ms while hashing (worst ${worst.toFixed(2)} ms).`,
    );
  }
}

await main();

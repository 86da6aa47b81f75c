/**
 * Measuring one HTTP route of a child server, shared by the adapter and
 * permission benchmarks: wait for a quiet machine, warm up, load, and take
 * the server's CPU per response over the measured run only.
 */
import {
  CONNECTIONS,
  cpuPerRequest,
  type Load,
  load,
  processTicks,
  progress,
  SECONDS,
  type Server,
  WARM_UP_SECONDS,
  waitForQuiet,
} from './lib.js';
import { BODY } from './server-adapter.js';

/** Before each route: wait until other processes take under this many CPUs for 1 s… */
export const QUIET_CPU = 0.1;
/** …but not longer than this. It also lets requests still queued from the previous route drain. */
export const MAX_QUIET_WAIT_SECONDS = 60;

export interface Measured {
  run: Load;
  /** Server CPU µs per 2xx response. */
  cpu: number;
}

/** Warm-up, then the measured run; CPU is the server process's over the measured run only. */
export async function measureRoute(
  server: Server,
  path: string,
  cookie: string | null,
  label: string,
): Promise<Measured> {
  const options = {
    url: `${server.url}${path}`,
    connections: CONNECTIONS,
    ...(cookie ? { headers: { cookie } } : {}),
  };
  await waitForQuiet(QUIET_CPU, MAX_QUIET_WAIT_SECONDS);
  progress(`${label}: ${WARM_UP_SECONDS} s warm-up, ${SECONDS} s measured`);
  await load({ ...options, duration: WARM_UP_SECONDS });
  const pid = server.child.pid ?? 0;
  const ticks = processTicks(pid);
  const run = await load({ ...options, duration: SECONDS });
  return { run, cpu: cpuPerRequest(processTicks(pid) - ticks, run, SECONDS) };
}

/** Fails unless `path` answers `status`, and with a 200 exactly {@link BODY}: the routes must be comparable. */
export async function expectRoute(
  server: Server,
  path: string,
  cookie: string | null,
  status: number,
): Promise<void> {
  const response = await fetch(`${server.url}${path}`, cookie ? { headers: { cookie } } : {});
  const text = await response.text();
  if (response.status !== status || (status === 200 && text !== JSON.stringify(BODY))) {
    throw new Error(`GET ${server.url}${path}: expected ${status}, got ${response.status} ${text}`);
  }
}

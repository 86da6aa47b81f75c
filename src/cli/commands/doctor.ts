/**
 * `gatehouse doctor [--url <public URL>]`: checks a configuration (and, with
 * `--url`, a running deployment) for the mistakes deployments make most —
 * the public URL, plain http, cookies versus the apps' origins, proxies,
 * the secret, Redis with SQLite, pending migrations, clock skew. Each check
 * prints `ok`, `warn` or `FAIL` with what to do; any FAIL exits 1.
 */

import type { Command } from 'commander';
import { sql } from 'kysely';
import type { Auth } from '../../auth.js';
import { CliError, type CliIo, print } from '../io.js';
import { openAuth } from '../open-auth.js';

type Verdict = 'ok' | 'warn' | 'FAIL';
interface Finding {
  verdict: Verdict;
  message: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function doctorCommand(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description('Check the configuration (and a running deployment with --url) for common mistakes.')
    .option('--url <url>', 'the deployment to probe: its public URL, e.g. https://auth.example.com')
    .action(async (options: { url?: string }, command: Command) => {
      const auth = await openAuth(io, command.optsWithGlobals().config, { requireMigrated: false });
      const findings: Finding[] = [];
      try {
        findings.push(...configFindings(auth, io.env));
        findings.push(...(await databaseFindings(auth)));
        if (options.url) findings.push(...(await liveFindings(options.url, auth)));
      } finally {
        await auth.close();
      }
      for (const { verdict, message } of findings) print(io.stdout, `${verdict.padEnd(4)} ${message}`);
      const failed = findings.filter((f) => f.verdict === 'FAIL').length;
      const warned = findings.filter((f) => f.verdict === 'warn').length;
      print(io.stdout, `${findings.length} checks: ${failed} failed, ${warned} warnings.`);
      if (failed > 0) throw new CliError(`${failed} check(s) failed: see the FAIL lines above.`);
    });
}

/** What the configuration alone says. */
export function configFindings(auth: Auth, env: Record<string, string | undefined>): Finding[] {
  const { config } = auth;
  const found: Finding[] = [];
  const publicUrl = config.publicUrl ? new URL(config.publicUrl) : null;
  if (!publicUrl) {
    found.push(
      warn(
        'No public URL (GATEHOUSE_PUBLIC_URL): mail links and OAuth callbacks need it outside local development.',
      ),
    );
  } else if (publicUrl.protocol === 'http:' && !LOOPBACK.has(publicUrl.hostname)) {
    found.push(
      fail(
        `The public URL ${publicUrl.origin} is plain http: cookies are not Secure and travel in clear. Serve https.`,
      ),
    );
  } else {
    found.push(ok(`Public URL ${publicUrl.origin}.`));
  }
  for (const origin of config.trustedOrigins ?? []) {
    const url = new URL(origin);
    if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname) && publicUrl?.protocol === 'https:')
      found.push(
        fail(
          `Trusted origin ${url.origin} is plain http while the server is https: a page there can be tampered with.`,
        ),
      );
    else if (publicUrl && siteOf(url.hostname) !== siteOf(publicUrl.hostname))
      found.push(
        warn(
          `Trusted origin ${url.origin} is another site than ${publicUrl.hostname}: the SameSite=Lax session cookie is not sent from its pages' fetches. Serve the API under the app's site, or use bearer mode or access tokens there.`,
        ),
      );
    else found.push(ok(`Trusted origin ${url.origin}.`));
  }
  const proxies = config.trustedProxies ?? 0;
  if (proxies > 2)
    found.push(
      warn(
        `${proxies} trusted proxies: each one lets a client choose one more X-Forwarded-For hop. Count only those you run.`,
      ),
    );
  else
    found.push(
      ok(
        `${proxies} trusted prox${proxies === 1 ? 'y' : 'ies'} in front (X-Forwarded-For is read ${proxies} hop${proxies === 1 ? '' : 's'} from the right).`,
      ),
    );
  if (!(config.secret ?? env.GATEHOUSE_SECRET))
    found.push(warn('No server secret (GATEHOUSE_SECRET): authenticator apps and token mode are off.'));
  else found.push(ok('A server secret is set.'));
  const redis = config.redis !== false && (config.redis?.url ?? env.REDIS_URL);
  if (redis && auth.database.dialect === 'sqlite')
    found.push(
      fail(
        'REDIS_URL is set with a SQLite database: several instances cannot share a SQLite file. Use PostgreSQL.',
      ),
    );
  else if (!redis && auth.database.dialect === 'postgres')
    found.push(
      warn(
        'PostgreSQL without REDIS_URL: fine for one instance; with several, revocations reach the others only as caches expire (5 s).',
      ),
    );
  return found;
}

/** Pending migrations, and the clock against the database's. */
async function databaseFindings(auth: Auth): Promise<Finding[]> {
  const found: Finding[] = [];
  try {
    const status = await auth.migrationStatus();
    found.push(
      status.pending.length > 0
        ? fail(`${status.pending.length} migration(s) pending: run \`gatehouse migrate\`.`)
        : ok(`Database ${auth.database.location} is up to date.`),
    );
    if (auth.database.dialect === 'postgres') {
      const started = Date.now();
      const { rows } = await sql<{ now: Date }>`select now() as now`.execute(auth.database.db);
      const theirs = new Date(rows[0]?.now ?? started).getTime();
      const skew = Math.abs(theirs - (started + Date.now()) / 2);
      found.push(
        skew > 5000
          ? fail(
              `This clock and the database's differ by ${Math.round(skew / 1000)} s: expiries and codes go wrong. Sync both with NTP.`,
            )
          : ok(`Clock within ${Math.round(skew)} ms of the database's.`),
      );
    }
  } catch (error) {
    found.push(fail(`Cannot use the database at ${auth.database.location}: ${(error as Error).message}`));
  }
  return found;
}

/** The running deployment, as a client sees it. */
async function liveFindings(url: string, auth: Auth): Promise<Finding[]> {
  const base = new URL(url);
  const found: Finding[] = [];
  try {
    const ready = await fetch(new URL('/readyz', base), { signal: AbortSignal.timeout(5000) });
    const body = (await ready.json().catch(() => ({}))) as { status?: string };
    found.push(
      ready.status === 200 && body.status === 'ok'
        ? ok(`${base.origin}/readyz answers ok.`)
        : (ready.status === 200 ? warn : fail)(
            `${base.origin}/readyz answers ${ready.status} ${body.status ?? ''}.`,
          ),
    );
    const session = await fetch(new URL(`${auth.config.basePath ?? '/auth'}/session`, base), {
      signal: AbortSignal.timeout(5000),
    });
    if (session.headers.get('cache-control') !== 'no-store')
      found.push(
        fail(
          'Auth responses lose Cache-Control: no-store on the way: a proxy may cache them. Let it pass through.',
        ),
      );
    else found.push(ok('Auth responses arrive with Cache-Control: no-store.'));
    if (base.protocol === 'https:' && !session.headers.get('strict-transport-security'))
      found.push(
        warn(
          'No Strict-Transport-Security header arrives: set GATEHOUSE_PUBLIC_URL to the https URL (or let the proxy pass it).',
        ),
      );
  } catch (error) {
    found.push(fail(`Cannot reach ${base.origin}: ${(error as Error).message}`));
  }
  return found;
}

/** The last two labels of a host name: enough to tell sites apart for the usual `app.example.com` and `auth.example.com`. */
function siteOf(hostname: string): string {
  return hostname.split('.').slice(-2).join('.');
}

const ok = (message: string): Finding => ({ verdict: 'ok', message });
const warn = (message: string): Finding => ({ verdict: 'warn', message });
const fail = (message: string): Finding => ({ verdict: 'FAIL', message });

/**
 * The logging surface Gatehouse needs: pino's call shape, so an app can pass
 * its own pino (or any compatible) logger. Secrets are never logged.
 */
import pino from 'pino';

type LogFn = (object: Record<string, unknown>, message?: string) => void;

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** JSON lines on stdout; with `pretty`, human-readable lines when pino-pretty is installed. */
export function createLogger(level: LogLevel = 'info', pretty = false): Logger {
  const readable = pretty && canResolve('pino-pretty');
  return pino({
    level,
    ...(readable ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}

function canResolve(specifier: string): boolean {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

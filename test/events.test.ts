import { describe, expect, it } from 'vitest';
import { EventBus } from '../src/events.js';
import type { Logger } from '../src/logger.js';

function recordingLogger() {
  const errors: Record<string, unknown>[] = [];
  const noop = () => {};
  const logger: Logger = { error: (object) => void errors.push(object), warn: noop, info: noop, debug: noop };
  return { logger, errors };
}

describe('EventBus', () => {
  it('delivers a payload to every listener of that event only, in order', () => {
    const bus = new EventBus<{ a: { n: number }; b: { s: string } }>(recordingLogger().logger);
    const calls: string[] = [];
    bus.on('a', ({ n }) => void calls.push(`first ${n}`));
    bus.on('a', ({ n }) => void calls.push(`second ${n}`));
    bus.on('b', ({ s }) => void calls.push(`b ${s}`));
    bus.emit('a', { n: 1 });
    expect(calls).toEqual(['first 1', 'second 1']);
  });

  it('stops delivering after the listener is removed', () => {
    const bus = new EventBus<{ a: number }>(recordingLogger().logger);
    const calls: number[] = [];
    const off = bus.on('a', (n) => void calls.push(n));
    bus.emit('a', 1);
    off();
    bus.emit('a', 2);
    expect(calls).toEqual([1]);
  });

  it('logs a throwing or rejecting listener and goes on', async () => {
    const { logger, errors } = recordingLogger();
    const bus = new EventBus<{ a: number }>(logger);
    const calls: number[] = [];
    bus.on('a', () => {
      throw new Error('sync failure');
    });
    bus.on('a', () => Promise.reject(new Error('async failure')));
    bus.on('a', (n) => void calls.push(n));
    expect(() => bus.emit('a', 7)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([7]);
    expect(errors.map((e) => (e.err as Error).message).sort()).toEqual(['async failure', 'sync failure']);
    expect(errors.every((e) => e.event === 'a')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/passwords/semaphore.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Semaphore', () => {
  it('never runs more tasks at once than it has permits', async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        semaphore.run(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
        }),
      ),
    );
    expect(most).toBe(2);
  });

  it('starts waiting tasks in the order they arrived', async () => {
    const semaphore = new Semaphore(1);
    const gate = deferred();
    const started: number[] = [];
    const first = semaphore.run(() => gate.promise);
    const rest = [1, 2, 3, 4].map((n) =>
      semaphore.run(async () => {
        started.push(n);
      }),
    );
    gate.resolve();
    await Promise.all([first, ...rest]);
    expect(started).toEqual([1, 2, 3, 4]);
  });

  it('gives the permit back when a task fails, and passes the failure on', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      semaphore.run(() => {
        throw new Error('synchronous boom');
      }),
    ).rejects.toThrow('synchronous boom');
    await expect(semaphore.run(async () => 'still works')).resolves.toBe('still works');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s permits', (permits) => {
    expect(() => new Semaphore(permits)).toThrow(RangeError);
  });
});

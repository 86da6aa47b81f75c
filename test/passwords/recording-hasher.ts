import type { DefaultPasswordHasher } from '../../src/passwords/index.js';

export interface HasherCall {
  method: 'hash' | 'verify';
  password: string;
  encoded?: string;
}

/** Wraps a hasher to record each call and the most calls ever in flight at once. */
export interface RecordingHasher extends DefaultPasswordHasher {
  readonly calls: HasherCall[];
  readonly maxInFlight: number;
}

export function recordingHasher(inner: DefaultPasswordHasher): RecordingHasher {
  const calls: HasherCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  async function track<T>(call: HasherCall, run: () => Promise<T>): Promise<T> {
    calls.push(call);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await run();
    } finally {
      inFlight--;
    }
  }
  return {
    algorithm: inner.algorithm,
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    identifies: (encoded) => inner.identifies(encoded),
    needsRehash: (encoded) => inner.needsRehash(encoded),
    hash: (password) => track({ method: 'hash', password }, () => inner.hash(password)),
    verify: (password, encoded) =>
      track({ method: 'verify', password, encoded }, () => inner.verify(password, encoded)),
  };
}

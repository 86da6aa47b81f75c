import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { argon2idHasher, type PasswordHasher, PasswordHashers } from '../../src/passwords/index.js';
import { recordingHasher } from './recording-hasher.js';

const cheapParams = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

function legacyRecorder(accepts: string): PasswordHasher & { tried: string[] } {
  const tried: string[] = [];
  return {
    algorithm: 'fake',
    tried,
    identifies: (encoded) => encoded.startsWith('fake$'),
    async verify(password) {
      tried.push(password);
      return password === accepts;
    },
  };
}

describe('PasswordHashers', () => {
  it('hashes with the default hasher and verifies the result without asking for a rehash', async () => {
    const hashers = new PasswordHashers({ default: argon2idHasher(cheapParams) });
    const encoded = await hashers.hash('correct horse battery staple');
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hashers.verify('correct horse battery staple', encoded)).toEqual({
      valid: true,
      needsRehash: false,
    });
  });

  it('reports a wrong password as invalid', async () => {
    const hashers = new PasswordHashers({ default: argon2idHasher(cheapParams) });
    const encoded = await hashers.hash('correct horse battery staple');
    expect(await hashers.verify('correct horse battery stable', encoded)).toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('asks for a rehash of a default-format hash made with older parameters, only when the password is right', async () => {
    const before = new PasswordHashers({ default: argon2idHasher(cheapParams) });
    const after = new PasswordHashers({ default: argon2idHasher({ ...cheapParams, memoryCost: 2048 }) });
    const encoded = await before.hash('correct horse battery staple');
    expect(await after.verify('correct horse battery staple', encoded)).toEqual({
      valid: true,
      needsRehash: true,
    });
    expect(await after.verify('wrong horse battery staple', encoded)).toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('verifies a legacy format with the first legacy hasher that identifies it and asks for a rehash', async () => {
    const first = legacyRecorder('secret');
    const second = legacyRecorder('secret');
    const hashers = new PasswordHashers({ default: argon2idHasher(cheapParams), legacy: [first, second] });
    expect(await hashers.verify('secret', 'fake$stored')).toEqual({ valid: true, needsRehash: true });
    expect(first.tried).toEqual(['secret']);
    expect(second.tried).toEqual([]);
  });

  it('retries a legacy hash with the NFKC form only when the raw password fails and the forms differ', async () => {
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    const legacy = legacyRecorder(nfc);
    const hashers = new PasswordHashers({ default: argon2idHasher(cheapParams), legacy: [legacy] });

    expect(await hashers.verify(nfd, 'fake$stored')).toEqual({ valid: true, needsRehash: true });
    expect(legacy.tried).toEqual([nfd, nfc]);

    legacy.tried.length = 0;
    expect((await hashers.verify(nfc, 'fake$stored')).valid).toBe(true);
    expect(legacy.tried).toEqual([nfc]);

    legacy.tried.length = 0;
    expect((await hashers.verify('plain ascii', 'fake$stored')).valid).toBe(false);
    expect(legacy.tried).toEqual(['plain ascii']);
  });

  it('refuses to hash a password over 4096 characters, with a field error, before any hashing', async () => {
    const inner = recordingHasher(argon2idHasher(cheapParams));
    const hashers = new PasswordHashers({ default: inner });
    const error = await hashers.hash('a'.repeat(4097)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      code: 'password_invalid',
      status: 400,
      fields: { password: expect.any(String) },
    });
    expect(inner.calls).toEqual([]);
  });

  it('refuses to hash a password with an unpaired surrogate', async () => {
    const hashers = new PasswordHashers({ default: argon2idHasher(cheapParams) });
    await expect(hashers.hash('password\ud800')).rejects.toMatchObject({ code: 'password_invalid' });
  });

  it('hashes and verifies a password of exactly 4096 characters', async () => {
    const hashers = new PasswordHashers({ default: argon2idHasher(cheapParams) });
    const password = '🔑'.repeat(4096);
    expect((await hashers.verify(password, await hashers.hash(password))).valid).toBe(true);
  });

  it('refuses a maxConcurrency that is not a positive integer', () => {
    expect(() => new PasswordHashers({ default: argon2idHasher(cheapParams), maxConcurrency: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('PasswordHashers concurrency', () => {
  const savedPoolSize = process.env.UV_THREADPOOL_SIZE;
  afterEach(() => {
    if (savedPoolSize === undefined) delete process.env.UV_THREADPOOL_SIZE;
    else process.env.UV_THREADPOOL_SIZE = savedPoolSize;
  });

  async function mostAtOnce(hashers: PasswordHashers): Promise<void> {
    const encoded = await hashers.hash('first');
    await Promise.all([
      hashers.hash('one'),
      hashers.hash('two'),
      hashers.hash('three'),
      hashers.verify('first', encoded),
      hashers.verify('wrong', encoded),
      hashers.verify('unknown user', null),
    ]);
  }

  it('never runs two hashes at once with maxConcurrency 1', async () => {
    const inner = recordingHasher(argon2idHasher(cheapParams));
    await mostAtOnce(new PasswordHashers({ default: inner, maxConcurrency: 1 }));
    expect(inner.calls.length).toBeGreaterThanOrEqual(7);
    expect(inner.maxInFlight).toBe(1);
  });

  it('runs up to maxConcurrency hashes at once, not fewer', async () => {
    const inner = recordingHasher(argon2idHasher(cheapParams));
    await mostAtOnce(new PasswordHashers({ default: inner, maxConcurrency: 2 }));
    expect(inner.maxInFlight).toBe(2);
  });

  it('by default leaves at least one thread of libuv’s pool free', async () => {
    process.env.UV_THREADPOOL_SIZE = '2';
    const inner = recordingHasher(argon2idHasher(cheapParams));
    await mostAtOnce(new PasswordHashers({ default: inner }));
    expect(inner.maxInFlight).toBe(1);
  });

  it('by default runs as many hashes at once as there are CPUs when the pool is large enough', async () => {
    process.env.UV_THREADPOOL_SIZE = '64';
    const inner = recordingHasher(argon2idHasher(cheapParams));
    await mostAtOnce(new PasswordHashers({ default: inner }));
    expect(inner.maxInFlight).toBe(Math.min(availableParallelism(), 6));
  });
});

import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { breachedPasswordValidator } from '../../../src/passwords/index.js';

const BREACHED = 'P@ssw0rd';
const digest = createHash('sha1').update(BREACHED).digest('hex').toUpperCase();
const REFUSAL = 'This password has appeared in a data breach. Choose a different one.';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A stand-in for api.pwnedpasswords.com on loopback, with a behaviour chosen per test. */
let mode: 'listed' | 'padding-only' | 'error' | 'hang' = 'listed';
let received: Received[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    received.push({ url: request.url ?? '', headers: request.headers });
    if (mode === 'hang') return;
    if (mode === 'error') {
      response.writeHead(503).end();
      return;
    }
    const lines = ['0018A45C4D1DEF81644B54AB7F969B88D65:3', '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0'];
    lines.push(`${digest.slice(5)}:${mode === 'listed' ? 52_579 : 0}`);
    response.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/range/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  mode = 'listed';
  received = [];
});

describe('breachedPasswordValidator', () => {
  it('refuses a password whose SHA-1 suffix the range lists', async () => {
    expect(await breachedPasswordValidator({ endpoint }).validate(BREACHED)).toBe(REFUSAL);
  });

  it('sends only the first 5 hex characters of the SHA-1, and asks for padding', async () => {
    await breachedPasswordValidator({ endpoint }).validate(BREACHED);
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe(`/range/${digest.slice(0, 5)}`);
    expect(received[0]?.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
    expect(received[0]?.headers['add-padding']).toBe('true');
    expect(JSON.stringify(received)).not.toContain(digest.slice(5, 15));
    expect(JSON.stringify(received)).not.toContain(BREACHED);
  });

  it('accepts a password whose suffix is absent', async () => {
    expect(await breachedPasswordValidator({ endpoint }).validate('vT7#qL9!xZ2@-unlisted')).toBeNull();
    expect(received).toHaveLength(1);
  });

  it('accepts a password whose suffix appears only as a padding line with a count of 0', async () => {
    mode = 'padding-only';
    expect(await breachedPasswordValidator({ endpoint }).validate(BREACHED)).toBeNull();
  });

  it('accepts a password seen fewer times than minCount', async () => {
    expect(await breachedPasswordValidator({ endpoint, minCount: 100_000 }).validate(BREACHED)).toBeNull();
    expect(await breachedPasswordValidator({ endpoint, minCount: 50_000 }).validate(BREACHED)).toBe(REFUSAL);
  });

  it('checks the NFKC form, which is the password that gets stored', async () => {
    const fullWidth = '\uff30\uff20\uff53\uff53\uff57\uff10\uff52\uff44';
    expect(await breachedPasswordValidator({ endpoint }).validate(fullWidth)).toBe(REFUSAL);
  });

  it('does not block the user when the service times out, and reports why', async () => {
    mode = 'hang';
    const errors: unknown[] = [];
    const started = performance.now();
    const result = await breachedPasswordValidator({
      endpoint,
      timeoutMs: 100,
      onError: (e) => errors.push(e),
    }).validate(BREACHED);
    expect(result).toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(errors).toHaveLength(1);
  });

  it('does not block the user when the service answers with an error', async () => {
    mode = 'error';
    const errors: unknown[] = [];
    const validator = breachedPasswordValidator({ endpoint, onError: (e) => errors.push(e) });
    expect(await validator.validate(BREACHED)).toBeNull();
    expect(String(errors[0])).toMatch(/503/);
  });

  it('does not block the user when the service is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const errors: unknown[] = [];
    const validator = breachedPasswordValidator({
      endpoint: `http://127.0.0.1:${port}/range/`,
      onError: (e) => errors.push(e),
    });
    expect(await validator.validate(BREACHED)).toBeNull();
    expect(errors).toHaveLength(1);
  });

  it('uses an injected fetch', async () => {
    const urls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response(`${digest.slice(5)}:7\n`);
    };
    const validator = breachedPasswordValidator({
      endpoint: 'https://hibp.invalid/range/',
      fetch: fakeFetch,
    });
    expect(await validator.validate(BREACHED)).toBe(REFUSAL);
    expect(urls).toEqual([`https://hibp.invalid/range/${digest.slice(0, 5)}`]);
  });

  it('refuses invalid options at construction', () => {
    expect(() => breachedPasswordValidator({ timeoutMs: 0 })).toThrow(RangeError);
    expect(() => breachedPasswordValidator({ minCount: 0 })).toThrow(RangeError);
  });
});

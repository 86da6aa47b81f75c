import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRequestOrigin } from '../../src/http/csrf.js';

const trusted = new Set(['https://auth.example.com', 'https://app.example.com']);
const check = (method: string, headers: Record<string, string>) =>
  checkRequestOrigin(method, new Headers(headers), trusted).ok;

describe('checkRequestOrigin', () => {
  it('lets safe methods through whatever their origin', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get'])
      expect(check(method, { origin: 'https://evil.test' })).toBe(true);
  });

  it('accepts a state-changing request from a trusted origin', () => {
    expect(check('POST', { origin: 'https://app.example.com' })).toBe(true);
    expect(check('DELETE', { origin: 'https://auth.example.com' })).toBe(true);
  });

  it('refuses one from any other origin, however it resembles a trusted one', () => {
    for (const origin of [
      'https://evil.test',
      'https://app.example.com.evil.test',
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://sub.app.example.com',
    ]) {
      expect(check('POST', { origin })).toBe(false);
    }
  });

  it('falls back to the Referer when Origin is absent or null', () => {
    expect(check('POST', { referer: 'https://app.example.com/settings?tab=1' })).toBe(true);
    expect(check('POST', { origin: 'null', referer: 'https://app.example.com/' })).toBe(true);
    expect(check('POST', { referer: 'https://evil.test/https://app.example.com/' })).toBe(false);
    expect(check('POST', { origin: 'null', referer: 'https://evil.test/' })).toBe(false);
  });

  it('trusts Origin over a contradicting Referer', () => {
    expect(check('POST', { origin: 'https://evil.test', referer: 'https://app.example.com/' })).toBe(false);
  });

  it('accepts Sec-Fetch-Site: same-origin only when no origin is named', () => {
    expect(check('POST', { 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(check('POST', { 'sec-fetch-site': 'cross-site' })).toBe(false);
    expect(check('POST', { 'sec-fetch-site': 'same-origin', origin: 'https://evil.test' })).toBe(false);
  });

  it('refuses a state-changing request that names no origin at all', () => {
    expect(check('POST', {})).toBe(false);
    expect(check('POST', { origin: 'null' })).toBe(false);
    expect(check('PATCH', { referer: 'not a url' })).toBe(false);
  });

  it('never accepts an origin outside the trusted set', () => {
    fc.assert(
      fc.property(fc.webUrl(), fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), (url, method) => {
        const origin = new URL(url).origin;
        expect(check(method, { origin: url })).toBe(trusted.has(origin));
        expect(check(method, { referer: url })).toBe(trusted.has(origin));
      }),
    );
  });
});

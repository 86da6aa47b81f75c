/**
 * The client address a request is attributed to, for rate limits and audit.
 *
 * By default it is the socket's peer address and forwarding headers are
 * ignored: anyone can write `X-Forwarded-For`. Behind N trusted reverse
 * proxies, each appends the address it received from, so the client is the
 * N-th entry from the right; entries further left were written by the client
 * and are never believed. Addresses are canonicalised (IPv4-mapped IPv6 to
 * IPv4, IPv6 compressed and lower-cased) so textual aliases of one address are
 * one address, and rate limits key IPv6 by its /64, the block one subscriber
 * typically controls.
 */
import { isIP } from 'node:net';

/**
 * The client's canonical address, or null when none can be trusted.
 * `trustedProxies` is the number of reverse proxies in front of the server.
 */
export function clientIp(
  socketAddress: string | undefined,
  forwardedFor: string | null | undefined,
  trustedProxies = 0,
): string | null {
  if (trustedProxies <= 0) return canonicalIp(socketAddress);
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // The nearest proxy is the socket peer; it appended the hop before it, and so on.
  const index = hops.length - trustedProxies;
  return index >= 0 ? canonicalIp(hops[index]) : null;
}

/** One spelling per address; null for anything that is not an IP address. */
export function canonicalIp(value: string | undefined): string | null {
  if (!value) return null;
  const address = value.replace(/^\[(.*)\]$/, '$1');
  const version = isIP(address);
  if (version === 4) return address;
  if (version !== 6) return null;
  const compressed = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (mapped) {
    const high = Number.parseInt(mapped[1] ?? '0', 16);
    const low = Number.parseInt(mapped[2] ?? '0', 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return compressed;
}

/** The rate-limit key of an address: IPv4 as is, IPv6 by its /64 prefix. */
export function rateLimitKey(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(missing, 0)).fill('0'), ...right].map((group) =>
    Number.parseInt(group, 16).toString(16),
  );
}

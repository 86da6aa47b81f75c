/**
 * Property tests of the whole JSON API: generated bodies, content types,
 * headers, paths and methods against every route, from anonymous, cross-site,
 * cookie and bearer clients. Whatever arrives, the server answers below 500,
 * every error is `{error: {code}}` JSON, and no response carries a stack trace
 * or an internal path. Generated strings never contain those markers
 * themselves, so a route that echoes its input (a rejected field name, a
 * first name) cannot trip the leak check.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createTestApi, ORIGIN, PASSWORD, type Reply, type TestApi } from '../helpers/http.js';

type Api = TestApi<Record<never, never>>;
type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'PROPFIND';

const MAX_BODY_BYTES = 64 * 1024;
const RUNS = 150;
const TIMEOUT = 60_000;

/** A stack frame (`at fn (/path/file.js:1:2)`, `at file:///…:1`), an error's `Name: message`, internal paths. */
const LEAKS: readonly RegExp[] = [
  /\bat\s+(?:async\s+)?(?:\S+\s+)?\(?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\s()]*:\d+/,
  /Error:/,
  /\/work\//,
  /node_modules/,
];
const leaks = (text: string) => LEAKS.some((pattern) => pattern.test(text));
/** Whether a generated string is free of the leak markers, also once normalised, lower-cased or JSON-escaped as the server may echo it. */
const clean = (s: string) => {
  const nfkc = s.normalize('NFKC');
  return ![s, nfkc, nfkc.toLowerCase(), s.toLowerCase(), JSON.stringify(s)].some(leaks);
};

interface Route {
  method: Method;
  path: string;
  /** Whether the route parses a request body. */
  readsBody: boolean;
}

const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/auth/signup', readsBody: true },
  { method: 'POST', path: '/auth/signin', readsBody: true },
  { method: 'POST', path: '/auth/signout', readsBody: false },
  { method: 'GET', path: '/auth/session', readsBody: false },
  { method: 'PUT', path: '/auth/session/data', readsBody: true },
  { method: 'GET', path: '/auth/sessions', readsBody: false },
  { method: 'DELETE', path: '/auth/sessions/:id', readsBody: false },
  { method: 'DELETE', path: '/auth/sessions', readsBody: false },
  { method: 'POST', path: '/auth/password/change', readsBody: true },
  { method: 'GET', path: '/auth/openapi.json', readsBody: false },
];
const BODY_ROUTES = ROUTES.filter((route) => route.readsBody);

const FIELD_NAMES = [
  'email',
  'password',
  'username',
  'firstName',
  'lastName',
  'currentPassword',
  'newPassword',
  'data',
  'isSuperuser',
  'isStaff',
  'is_superuser',
  'isActive',
  'emailVerified',
  'metadata',
  'id',
  'passwordHash',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '',
] as const;

// ---------------------------------------------------------------- generators

/** Characters that break naive code: NUL, direction marks, lone surrogates, BOM, separators, combining marks. */
const SPECIAL = [
  '\u0000',
  '\u0001',
  '\u007f',
  '\u200e',
  '\u200f',
  '\u202e',
  '\u2066',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\ufeff',
  '\uffff',
  '\u0085',
  '\u2028',
  'é',
  'e\u0301',
  'ﬃ',
  'Ａ',
  '＠',
  '😀',
  '@',
  '.',
  '"',
  "'",
  '\\',
  '%',
  '&',
  '=',
  '+',
  ';',
  ' ',
  '\t',
  '\n',
  'a',
  'Z',
  '0',
];
const specialText = fc.string({ unit: fc.constantFrom(...SPECIAL), maxLength: 40 });
const text = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    specialText,
    fc.constantFrom('', ' ', 'null', 'true', '0', '-1', '1e999', 'NaN', PASSWORD, 'ada@example.com', 'Ada'),
  )
  .filter(clean);
/** 1 KB to 100 KB of a short repeated pattern (cut anywhere, so a surrogate pair may be split). */
const hugeText = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...SPECIAL), minLength: 1, maxLength: 4 }),
    fc.integer({ min: 1_000, max: 100_000 }),
  )
  .map(([seed, length]) => seed.repeat(Math.ceil(length / seed.length)).slice(0, length))
  .filter(clean);
const freshEmail = fc.uuid().map((id) => `fuzz-${id}@example.com`);
const key = fc.oneof(fc.constantFrom(...FIELD_NAMES), text);

/** Any JSON value, with the tricky strings and keys above. */
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308),
    text,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
  ),
}));

/** What goes where a string is expected: strings, but also numbers, arrays, null, objects, huge strings. */
const fieldValue = fc.oneof(
  { arbitrary: text, weight: 4 },
  { arbitrary: json, weight: 4 },
  { arbitrary: fc.constant(PASSWORD), weight: 1 },
  { arbitrary: freshEmail, weight: 2 },
  { arbitrary: hugeText, weight: 1 },
);

/** A body close to what the routes want, each field possibly missing or of the wrong type, plus extra fields. */
const plausibleBody = fc
  .tuple(
    fc.record(
      {
        email: fc.oneof(freshEmail, fieldValue),
        password: fc.oneof(fc.constant(PASSWORD), fieldValue),
        username: fc.oneof(fc.stringMatching(/^[a-z0-9_.+-]{1,20}$/), fieldValue),
        firstName: fieldValue,
        lastName: fieldValue,
        currentPassword: fc.oneof(fc.constant(PASSWORD), fieldValue),
        newPassword: fc.oneof(fc.constant(`${PASSWORD} 2`), fieldValue),
        data: fc.oneof(fc.dictionary(text, json, { maxKeys: 4 }), fieldValue),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(key, fieldValue, { maxKeys: 3 }),
  )
  .map(([known, extra]) => ({ ...known, ...extra }));
const objectBody = fc.oneof(plausibleBody, fc.dictionary(key, fieldValue, { maxKeys: 6 }));

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/x+json'];
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 60,
});
const contentType = fc.oneof(
  fc.constantFrom(
    ...JSON_TYPES,
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=latin1',
    'multipart/form-data; boundary=xyz',
    'text/plain',
    'text/html',
    'application/xml',
    'application/octet-stream',
    'application/json, text/plain',
    'application/jsonp',
    '*/*',
    ';',
    '',
  ),
  headerText.filter(clean),
);

/**
 * Brackets or objects nested up to 1,000 levels, closed or not, sometimes inside `data`. Deeper
 * nesting (10,000 levels) has its own example-based test below: today it overflows the stack in
 * `data` from about 1,500 levels on, which would make every property here fail at random.
 */
const NESTING_IN_PROPERTIES = 1_000;
const nestedJson = fc
  .tuple(
    fc.integer({ min: 1, max: NESTING_IN_PROPERTIES }),
    fc.constantFrom('open-arrays', 'arrays', 'objects', 'data-objects', 'data-arrays', 'open-objects'),
  )
  .map(([depth, shape]) => nested(depth, shape));

function nested(depth: number, shape: string): string {
  switch (shape) {
    case 'open-arrays':
      return '['.repeat(depth);
    case 'arrays':
      return '['.repeat(depth) + ']'.repeat(depth);
    case 'objects':
      return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    case 'data-objects':
      return `{"data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    case 'data-arrays':
      return `{"data":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    default:
      return '{"a":'.repeat(depth);
  }
}

/** Text sent with a JSON content type that is not a JSON object, or not JSON at all. */
const notJson = fc.oneof(
  text,
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '"email"',
    '[]',
    '{',
    '}',
    '{"email":',
    "{'email': 'a@b.c'}",
    '{"email":"a@b.c",}',
    '{"a":1}{"b":2}',
    'NaN',
    'undefined',
    '\ufeff{}',
    '{"email":"\\ud800"}',
    '{"password":"\\u0000"}',
    '{"__proto__":{"isSuperuser":true}}',
  ),
  json.map((value) => `${JSON.stringify(value)} trailing`),
  objectBody.map((value) => JSON.stringify(value).slice(0, -1)),
);

/** Form bodies, with keys that may repeat. */
const formBody = fc
  .tuple(fc.array(fc.tuple(key, fc.oneof(text, freshEmail)), { maxLength: 6 }), fc.boolean())
  .map(([pairs, repeatFirst]) => {
    const all = repeatFirst && pairs[0] ? [...pairs, pairs[0]] : pairs;
    return new URLSearchParams(all.map(([k, v]) => [k, v] as [string, string])).toString();
  });

interface Wire {
  body?: string;
  contentType?: string;
}

/** What a request carries: JSON objects, other JSON, deep nesting, non-JSON, forms, other content types, nothing. */
const wire: fc.Arbitrary<Wire> = fc.oneof(
  {
    arbitrary: objectBody.map((o) => ({ body: JSON.stringify(o), contentType: 'application/json' })),
    weight: 6,
  },
  { arbitrary: json.map((v) => ({ body: JSON.stringify(v), contentType: 'application/json' })), weight: 2 },
  { arbitrary: nestedJson.map((body) => ({ body, contentType: 'application/json' })), weight: 1 },
  {
    arbitrary: fc.tuple(notJson, fc.constantFrom(...JSON_TYPES)).map(([body, type]) => ({
      body,
      contentType: type,
    })),
    weight: 2,
  },
  {
    arbitrary: formBody.map((body) => ({ body, contentType: 'application/x-www-form-urlencoded' })),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(
        fc.oneof(
          objectBody.map((o) => JSON.stringify(o)),
          formBody,
          text,
        ),
        contentType,
      )
      .map(([body, type]) => ({ body, contentType: type })),
    weight: 2,
  },
  { arbitrary: fc.constant({}), weight: 1 },
);

/** A body each route accepts, so that a single edit on it reaches past validation into the stores. */
const VALID_BODIES: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  '/auth/signup': fc.record({
    email: freshEmail,
    password: fc.constant(PASSWORD),
    firstName: text,
    lastName: text,
    username: fc.uuid().map((id) => `u${id.replaceAll('-', '')}`),
  }),
  '/auth/signin': fc.record({
    email: fc.constantFrom('owner-1@example.com', 'owner-2@example.com'),
    password: fc.constant(PASSWORD),
  }),
  '/auth/session/data': fc.dictionary(text, json, { maxKeys: 4 }).map((data) => ({ data })),
  '/auth/password/change': fc.record({
    currentPassword: fc.constant(PASSWORD),
    newPassword: fc.constant(`${PASSWORD} 2`),
  }),
};

const ROUTE_FIELDS: Record<string, readonly string[]> = {
  '/auth/signup': ['email', 'password', 'username', 'firstName', 'lastName'],
  '/auth/signin': ['email', 'username', 'password'],
  '/auth/session/data': ['data'],
  '/auth/password/change': ['currentPassword', 'newPassword'],
};

/** A valid body with up to two fields replaced by generated values or removed. */
function nearValid(path: string): fc.Arbitrary<Record<string, unknown>> {
  const valid = VALID_BODIES[path] ?? fc.constant({});
  // Mostly the route's own fields, so that many edited bodies still pass validation and reach the database.
  const name = fc.oneof({ arbitrary: fc.constantFrom(...(ROUTE_FIELDS[path] ?? ['email'])), weight: 3 }, key);
  const edit = fc.tuple(name, fc.option(fieldValue, { nil: undefined, freq: 4 }));
  return fc.tuple(valid, fc.array(edit, { maxLength: 2 })).map(([body, edits]) => {
    const out: Record<string, unknown> = { ...body };
    for (const [name, value] of edits) {
      if (value === undefined) delete out[name];
      else Object.defineProperty(out, name, { value, enumerable: true, configurable: true, writable: true });
    }
    return out;
  });
}

/** A route with what it is sent: near-valid bodies (as JSON or as a form) for routes that read one, or anything. */
const routeAndWire: fc.Arbitrary<[Route, Wire]> = fc.constantFrom(...ROUTES).chain((route) => {
  if (!route.readsBody) return fc.tuple(fc.constant(route), wire);
  const near = nearValid(route.path);
  return fc.tuple(
    fc.constant(route),
    fc.oneof(
      {
        arbitrary: near.map((o) => ({ body: JSON.stringify(o), contentType: 'application/json' })),
        weight: 3,
      },
      {
        arbitrary: near.map((o) => ({
          body: new URLSearchParams(
            Object.entries(o).map(
              ([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string],
            ),
          ).toString(),
          contentType: 'application/x-www-form-urlencoded',
        })),
        weight: 1,
      },
      { arbitrary: wire, weight: 3 },
    ),
  );
});

type Who = 'anonymous' | 'cross-site' | 'no-origin' | 'cookie' | 'bearer';
/** Who sends a request; cross-site and origin-less cookie requests only ever get 403, so they come less often. */
const who = fc.oneof(
  { arbitrary: fc.constantFrom<Who>('anonymous', 'cookie', 'bearer'), weight: 4 },
  { arbitrary: fc.constantFrom<Who>('cross-site', 'no-origin'), weight: 1 },
);

/** What fills `:id` in DELETE /auth/sessions/:id: one of the client's own session ids, or anything. */
const sessionId = fc.oneof(
  fc.constant({ own: true as const }),
  text.map((value) => ({ own: false as const, value: encodeURIComponent(wellFormed(value)) })),
  fc.constantFrom('', '%', '%zz', '%00', '..', '%2e%2e', 'ses_0', 'a/b').map((value) => ({
    own: false as const,
    value,
  })),
);

/** Headers a client may add, each present or not. */
const extraHeaders = fc.record(
  {
    origin: fc.oneof(fc.constant(ORIGIN), fc.constant('null'), fc.webUrl(), headerText),
    referer: fc.oneof(fc.webUrl(), headerText),
    'sec-fetch-site': fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', ''),
    'x-auth-mode': fc.constantFrom('bearer', 'BEARER', 'cookie', ''),
    authorization: fc.oneof(
      headerText,
      fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'bearer gh_x'),
      headerText.map((v) => `Bearer ${v}`),
    ),
    cookie: fc.oneof(
      headerText,
      headerText.map((v) => `gh_session=${v}`),
    ),
    'x-forwarded-for': fc.oneof(fc.ipV4(), fc.ipV6(), headerText),
    'user-agent': fc.oneof(
      headerText,
      fc.integer({ min: 1, max: 20_000 }).map((n) => 'u'.repeat(n)),
    ),
    'content-length': fc.oneof(fc.nat().map(String), headerText, fc.constantFrom('-1', '1e9', '99999999999')),
    accept: headerText,
  },
  { requiredKeys: [] },
);

/** `s` with lone surrogates replaced, as `encodeURIComponent` and the URL parser require. */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

// ---------------------------------------------------------------- checks

function describeRequest(
  method: string,
  path: string,
  whoIs: string,
  headers: object,
  body?: string,
): string {
  const shown = body === undefined ? '' : JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}…` : body);
  const size = body === undefined ? 'no body' : `${Buffer.byteLength(body)} B`;
  return `${method} ${path} as ${whoIs}, headers ${JSON.stringify(headers)}, ${size} ${shown}`;
}

/** What every response must be, whatever the request. */
function expectSafe(reply: Reply, method: string, request: string): void {
  const context = `${request}\n→ ${reply.status} ${reply.text.slice(0, 600)}`;
  expect(reply.status, context).toBeLessThan(500);
  if (reply.status >= 400 && method !== 'HEAD') {
    expect(reply.body, context).toBeTypeOf('object');
    expect(reply.body?.error?.code, context).toBeTypeOf('string');
  }
  for (const pattern of LEAKS) expect(reply.text, context).not.toMatch(pattern);
}

// ---------------------------------------------------------------- the API under test

let api: Api;
let cookieClient: Client;
let bearer = '';
let accounts = 0;
const newAccountEmail = () => `owner-${++accounts}@example.com`;
let labels = 0;
const randomLabel = () => `case-${++labels}-${Date.now().toString(36)}`;

beforeAll(async () => {
  api = await createTestApi({ rateLimits: false });
  cookieClient = api.client();
});
afterAll(() => api?.close());

/** The cookie client, signed in again (as a fresh account) if the last request signed it out. */
async function signedInCookieClient(): Promise<Client> {
  if ((await cookieClient.get('/auth/session')).status === 200) return cookieClient;
  cookieClient = api.client();
  const reply = await cookieClient.post('/auth/signup', { email: newAccountEmail(), password: PASSWORD });
  expect(reply.status, reply.text).toBe(201);
  return cookieClient;
}

/** A valid bearer token, replaced when the last request ended its session. */
async function bearerToken(): Promise<string> {
  const probe = api.client({ origin: null });
  if (
    bearer &&
    (await probe.get('/auth/session', { headers: { authorization: `Bearer ${bearer}` } })).status === 200
  )
    return bearer;
  const reply = await probe.post(
    '/auth/signup',
    { email: newAccountEmail(), password: PASSWORD },
    { headers: { 'x-auth-mode': 'bearer' } },
  );
  expect(reply.status, reply.text).toBe(201);
  bearer = reply.body.token;
  return bearer;
}

async function clientFor(whoIs: Who): Promise<{ client: Client; headers: Record<string, string> }> {
  switch (whoIs) {
    case 'anonymous':
      return { client: api.client(), headers: {} };
    case 'cross-site':
      return { client: api.client({ origin: 'https://evil.example' }), headers: {} };
    case 'no-origin':
      return { client: api.client({ origin: null }), headers: {} };
    case 'cookie':
      return { client: await signedInCookieClient(), headers: {} };
    case 'bearer':
      return {
        client: api.client({ origin: null }),
        headers: { authorization: `Bearer ${await bearerToken()}` },
      };
  }
}

async function pathFor(route: Route, client: Client, headers: Record<string, string>, id: SessionIdChoice) {
  if (!route.path.includes(':id')) return route.path;
  if (!id.own) return route.path.replace(':id', id.value);
  const list = await client.get('/auth/sessions', { headers });
  const own: string | undefined = list.body?.sessions?.[0]?.id;
  return route.path.replace(':id', own ?? 'ses_none');
}
type SessionIdChoice = { own: true } | { own: false; value: string };

/** Sends one generated request; GET and HEAD go without a body, as fetch requires. */
async function send(
  client: Client,
  method: string,
  path: string,
  whoIs: string,
  headers: Record<string, string>,
  body: Wire,
): Promise<{ reply: Reply; request: string }> {
  const withBody = body.body !== undefined && method !== 'GET' && method !== 'HEAD';
  const all = {
    ...headers,
    ...(withBody && body.contentType !== undefined ? { 'content-type': body.contentType } : {}),
  };
  const request = describeRequest(method, path, whoIs, all, withBody ? body.body : undefined);
  const reply = await client.send(method, path, { headers: all, ...(withBody ? { body: body.body } : {}) });
  return { reply, request };
}

// ---------------------------------------------------------------- properties

describe('the API under generated requests (rate limits off)', () => {
  it(
    'answers generated bodies on every route without a 5xx, with JSON errors and no leak',
    async () => {
      await fc.assert(
        fc.asyncProperty(routeAndWire, who, sessionId, async ([route, body], whoIs, id) => {
          const { client, headers } = await clientFor(whoIs);
          const path = await pathFor(route, client, headers, id);
          const { reply, request } = await send(client, route.method, path, whoIs, headers, body);
          expectSafe(reply, route.method, request);
        }),
        { numRuns: 200 },
      );
    },
    TIMEOUT,
  );

  it(
    'answers generated headers (origin, credentials, content length, forwarding) without a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES),
          who,
          wire,
          extraHeaders,
          sessionId,
          async (route, whoIs, body, extra, id) => {
            const { client, headers } = await clientFor(whoIs);
            const path = await pathFor(route, client, headers, id);
            const { reply, request } = await send(
              client,
              route.method,
              path,
              whoIs,
              { ...headers, ...extra },
              body,
            );
            expectSafe(reply, route.method, request);
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'answers unknown paths and wrong methods with a JSON 404 (or a bodiless preflight), never a 5xx',
    async () => {
      const segment = fc.oneof(
        text.map((s) => encodeURIComponent(wellFormed(s))),
        headerText.filter(clean),
        fc.webSegment(),
      );
      const unknownPath = fc.oneof(
        segment.map((s) => ({ path: `/auth/zz-${s}`, unknown: true })),
        segment.map((s) => ({ path: `/zz-${s}`, unknown: true })),
        fc.array(fc.webSegment(), { minLength: 1, maxLength: 5 }).map((segments) => ({
          path: `/auth/zz/${segments.join('/')}`,
          unknown: true,
        })),
        fc
          .constantFrom(
            '/',
            '/auth',
            '/auth/',
            '/auth/signup/',
            '/AUTH/signup',
            '/auth//signup',
            '/auth/sessions/a/b',
            '/auth/openapi.json/x',
            '/auth/session/data/x',
            '/healthz',
            '/metrics',
            '/auth/signup?x=1&x=2',
            '/auth/%',
            '/auth/%zz',
            '/auth/%00',
            '/auth/%ff%fe',
            '/auth/..%2f..%2fetc%2fpasswd',
            '/auth/sessions/%ff',
            '/auth/sessions/%',
            '/auth/signup%00',
            '/auth/./signup',
            '/auth/../auth/signin',
          )
          .map((path) => ({ path, unknown: false })),
        headerText.filter(clean).map((s) => ({ path: `/auth/${s}`, unknown: false })),
      );
      const method = fc.constantFrom<Method>(
        'GET',
        'HEAD',
        'POST',
        'PUT',
        'DELETE',
        'PATCH',
        'OPTIONS',
        'PROPFIND',
      );
      await fc.assert(
        fc.asyncProperty(unknownPath, method, who, wire, async ({ path, unknown }, verb, whoIs, body) => {
          const { client, headers } = await clientFor(whoIs);
          const { reply, request } = await send(client, verb, path, whoIs, headers, body);
          expectSafe(reply, verb, request);
          if (unknown) expect(reply.status, request).toBe(verb === 'OPTIONS' ? 204 : 404);
          if (unknown && verb !== 'OPTIONS' && verb !== 'HEAD')
            expect(reply.body.error.code).toBe('not_found');
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'refuses bodies over 64 KB with 413 payload_too_large, and never a body within the limit',
    async () => {
      const size = fc.oneof(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: MAX_BODY_BYTES - 64, max: MAX_BODY_BYTES + 64 }),
      );
      const unit = fc.constantFrom('a', 'é', '😀', '\u0000', '\ud800', '\u202e', '"', '&');
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BODY_ROUTES),
          fc.constantFrom<Who>('anonymous', 'cookie', 'bearer'),
          size,
          unit,
          fc.boolean(),
          async (route, whoIs, length, char, asForm) => {
            const { client, headers } = await clientFor(whoIs);
            const padding = char.repeat(length);
            const body: Wire = asForm
              ? {
                  body: new URLSearchParams({ email: 'a@example.com', padding }).toString(),
                  contentType: 'application/x-www-form-urlencoded',
                }
              : {
                  body: JSON.stringify({ email: 'a@example.com', padding }),
                  contentType: 'application/json',
                };
            const { reply, request } = await send(client, route.method, route.path, whoIs, headers, body);
            expectSafe(reply, route.method, request);
            const bytes = Buffer.byteLength(body.body ?? '');
            // Password change asks who you are before it reads anything.
            if (route.path === '/auth/password/change' && whoIs === 'anonymous') {
              expect(reply.status, request).toBe(401);
              return;
            }
            if (bytes > MAX_BODY_BYTES) {
              expect(reply.status, request).toBe(413);
              expect(reply.body.error.code).toBe('payload_too_large');
            } else {
              expect(reply.status, request).not.toBe(413);
            }
          },
        ),
        { numRuns: 100 },
      );
    },
    TIMEOUT,
  );

  it(
    'answers JSON nested 10,000 levels deep on every route with a 4xx, never a 5xx',
    async () => {
      const failures: string[] = [];
      for (const route of ROUTES) {
        for (const whoIs of ['anonymous', 'cookie', 'bearer'] as const) {
          for (const shape of [
            'open-arrays',
            'arrays',
            'objects',
            'data-objects',
            'data-arrays',
            'open-objects',
          ]) {
            const { client, headers } = await clientFor(whoIs);
            const path = await pathFor(route, client, headers, { own: false, value: 'ses_0' });
            const body = { body: nested(10_000, shape), contentType: 'application/json' };
            const { reply } = await send(client, route.method, path, whoIs, headers, body);
            const request = `${route.method} ${path} as ${whoIs}, 10,000 levels of ${shape}`;
            try {
              expectSafe(reply, route.method, request);
            } catch {
              failures.push(`${request} → ${reply.status} ${reply.text.slice(0, 120)}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'takes NUL, lone surrogates and direction marks in names, passwords and session data without a 5xx',
    async () => {
      const failures: string[] = [];
      const check = (reply: Reply, request: string) => {
        try {
          expectSafe(reply, 'POST', request);
        } catch {
          failures.push(`${request} → ${reply.status} ${reply.text.slice(0, 120)}`);
        }
      };
      for (const [label, value] of [
        ['NUL', 'a\u0000b'],
        ['a lone high surrogate', 'a\ud800b'],
        ['a lone low surrogate', '\udfffb'],
        ['an RTL override', 'a\u202eb'],
        ['a BOM', '\ufeffa'],
      ] as const) {
        for (const field of ['firstName', 'lastName', 'password']) {
          const client = api.client();
          const input = field === 'password' ? `${value} ${PASSWORD}` : value;
          const body = { email: `${randomLabel()}@example.com`, password: PASSWORD, [field]: input };
          check(await client.post('/auth/signup', body), `POST /auth/signup with ${label} in ${field}`);
        }
        const client = await signedInCookieClient();
        for (const [where, data] of [
          ['a value', { note: value }],
          ['a key', { [value]: 1 }],
          ['a nested value', { list: [{ note: value }] }],
        ] as const) {
          const reply = await client.send('PUT', '/auth/session/data', { body: { data } });
          check(reply, `PUT /auth/session/data with ${label} in ${where} of data`);
        }
      }
      expect(failures).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'names a refused field even when it is called like an Object.prototype member',
    async () => {
      const failures: string[] = [];
      for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
        const email = `${randomLabel()}@example.com`;
        const asJson = await api.client().send('POST', '/auth/signup', {
          body: `{"email":"${email}","password":"${PASSWORD}","${name}":"x"}`,
        });
        if (asJson.status !== 400 || !Object.hasOwn(asJson.body?.error?.fields ?? {}, name))
          failures.push(`POST /auth/signup JSON with extra field ${name} → ${asJson.status} ${asJson.text}`);
        const twice = `email=${encodeURIComponent(email)}&password=x&${name}=a&${name}=b`;
        const asForm = await api.client().send('POST', '/auth/signup', {
          body: twice,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        if (asForm.status !== 400 || !Object.hasOwn(asForm.body?.error?.fields ?? {}, name))
          failures.push(`POST /auth/signup form "${twice}" → ${asForm.status} ${asForm.text}`);
      }
      expect(failures).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'refuses a form field sent twice with 400 invalid_request naming the field',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BODY_ROUTES),
          fc.constantFrom<Who>('cookie', 'bearer'),
          // `__proto__` has its own example-based test above.
          key.filter((name) => name !== '__proto__'),
          text,
          text,
          fc.array(fc.tuple(key, text), { maxLength: 4 }),
          async (route, whoIs, name, first, second, others) => {
            const { client, headers } = await clientFor(whoIs);
            const pairs: [string, string][] = [...others, [name, first], [name, second]];
            const body = {
              body: new URLSearchParams(pairs).toString(),
              contentType: 'application/x-www-form-urlencoded',
            };
            const { reply, request } = await send(client, route.method, route.path, whoIs, headers, body);
            expectSafe(reply, route.method, request);
            expect(reply.status, request).toBe(400);
            expect(reply.body.error.code).toBe('invalid_request');
            expect(Object.keys(reply.body.error.fields ?? {}), request).toContain(wellFormed(name));
          },
        ),
        { numRuns: 100 },
      );
    },
    TIMEOUT,
  );

  it(
    'never makes a superuser or staff member out of extra sign-up fields, nor pollutes prototypes',
    async () => {
      const privileged = fc.dictionary(
        fc.constantFrom(
          'isSuperuser',
          'isStaff',
          'is_superuser',
          'is_staff',
          'isActive',
          'emailVerified',
          'metadata',
          'passwordHash',
          'sessionEpoch',
          'role',
        ),
        fc.oneof(fc.constant(true), fc.constant(1), fc.constant('true'), fc.constant('on'), json),
        { minKeys: 1, maxKeys: 4 },
      );
      await fc.assert(
        fc.asyncProperty(
          freshEmail,
          privileged,
          fc.constantFrom('json', 'form', 'proto', 'constructor'),
          fc.constantFrom<Who>('anonymous', 'cookie', 'bearer', 'no-origin'),
          async (email, extra, encoding, whoIs) => {
            const { client, headers } = await clientFor(whoIs);
            const base = { email, password: PASSWORD };
            let body: Wire;
            if (encoding === 'form') {
              const pairs = Object.entries(extra).map(
                ([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string],
              );
              body = {
                body: new URLSearchParams([...Object.entries(base), ...pairs]).toString(),
                contentType: 'application/x-www-form-urlencoded',
              };
            } else if (encoding === 'proto') {
              body = {
                body: `{"email":${JSON.stringify(email)},"password":"${PASSWORD}","__proto__":${JSON.stringify(extra)}}`,
                contentType: 'application/json',
              };
            } else if (encoding === 'constructor') {
              body = {
                body: `{"email":${JSON.stringify(email)},"password":"${PASSWORD}","constructor":{"prototype":${JSON.stringify(extra)}}}`,
                contentType: 'application/json',
              };
            } else {
              body = { body: JSON.stringify({ ...base, ...extra }), contentType: 'application/json' };
            }
            const { reply, request } = await send(client, 'POST', '/auth/signup', whoIs, headers, body);
            expectSafe(reply, 'POST', request);
            if (reply.status === 201) {
              expect(reply.body.user.isSuperuser, request).toBe(false);
              expect(reply.body.user.isStaff, request).toBe(false);
            }
            const user = await api.auth.users.getByEmail(email);
            expect(user?.isSuperuser ?? false, request).toBe(false);
            expect(user?.isStaff ?? false, request).toBe(false);
            const blank: Record<string, unknown> = {};
            expect(blank.isSuperuser).toBeUndefined();
            expect(blank.isStaff).toBeUndefined();
          },
        ),
        { numRuns: 100 },
      );
      const superusers = await api.auth.database.db
        .selectFrom('users')
        .select('email')
        .where((eb) => eb.or([eb('is_superuser', '=', true), eb('is_staff', '=', true)]))
        .execute();
      expect(superusers).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'answers bodies that are not valid UTF-8 without a 5xx',
    async () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc
          .constantFrom(
            [0xff],
            [0xc3],
            [0xed, 0xa0, 0x80],
            [0xf4, 0x90, 0x80, 0x80],
            [0xc0, 0xaf],
            [0x00],
            [0xef, 0xbb, 0xbf],
          )
          .map((b) => Uint8Array.from(b)),
      );
      const template = fc.constantFrom(
        '{"email":"@example.com","password":"%"}',
        '{"%":1}',
        '%',
        'email=%&password=x',
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BODY_ROUTES),
          fc.constantFrom<Who>('anonymous', 'cookie', 'bearer'),
          template,
          bytes,
          fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
          async (route, whoIs, shape, raw, type) => {
            const [before = '', after = ''] = shape.split('%');
            const body = Buffer.concat([Buffer.from(before), raw, Buffer.from(after)]);
            const { headers } = await clientFor(whoIs);
            const cookie =
              whoIs === 'cookie' ? [...cookieClient.cookies].map(([n, v]) => `${n}=${v}`).join('; ') : '';
            const requestHeaders = new Headers({ ...headers, origin: ORIGIN, 'content-type': type });
            if (cookie) requestHeaders.set('cookie', cookie);
            const response = await api.auth.handler(
              new Request(`${ORIGIN}${route.path}`, { method: route.method, headers: requestHeaders, body }),
              { ip: '203.0.113.9' },
            );
            const replyText = await response.text();
            let parsed: unknown = null;
            try {
              parsed = JSON.parse(replyText);
            } catch {}
            const request = `${route.method} ${route.path} as ${whoIs}, ${type}, bytes ${body.toString('hex').slice(0, 600)}`;
            expectSafe(
              { status: response.status, headers: response.headers, body: parsed, text: replyText },
              route.method,
              request,
            );
          },
        ),
        { numRuns: 100 },
      );
    },
    TIMEOUT,
  );
});

describe('the API under generated requests (rate limits on)', () => {
  let limited: Api;
  beforeAll(async () => {
    limited = await createTestApi();
  });
  afterAll(() => limited?.close());

  it(
    'answers without a 5xx while limits refuse, and every refusal is 429 rate_limited with Retry-After',
    async () => {
      const ip = fc.constantFrom('198.51.100.1', '198.51.100.2', '2001:db8::1', '2001:db8::ffff:1');
      const route = fc.oneof(
        { arbitrary: fc.constantFrom(...BODY_ROUTES), weight: 3 },
        { arbitrary: fc.constantFrom(...ROUTES), weight: 1 },
      );
      await fc.assert(
        fc.asyncProperty(route, ip, wire, fc.boolean(), async (r, address, body, asBearer) => {
          const client = limited.client({ ip: address, origin: asBearer ? null : ORIGIN });
          const headers: Record<string, string> = asBearer ? { 'x-auth-mode': 'bearer' } : {};
          const path = r.path.replace(':id', 'ses_0');
          const { reply, request } = await send(
            client,
            r.method,
            path,
            `client at ${address}`,
            headers,
            body,
          );
          expectSafe(reply, r.method, request);
          if (reply.status === 429) {
            expect(reply.body.error.code, request).toBe('rate_limited');
            expect(Number(reply.headers.get('retry-after')), request).toBeGreaterThan(0);
          }
        }),
        { numRuns: RUNS },
      );
      // The limits were really on: a burst of sign-ups from one new address ends in 429.
      const client = limited.client({ ip: '192.0.2.200' });
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        const reply = await client.post('/auth/signup', {
          email: `burst-${i}@example.com`,
          password: PASSWORD,
        });
        expectSafe(reply, 'POST', `burst sign-up ${i}`);
        statuses.push(reply.status);
      }
      expect(statuses.at(-1)).toBe(429);
    },
    TIMEOUT,
  );
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../../src/http/admin-audit-routes.js';
import { type Client, createTestApi, PASSWORD, type TestApi } from '../../helpers/http.js';

let api: TestApi<Record<never, never>>;
let clock = new Date('2026-03-01T12:00:00Z');
let auditor: Client;
let adaId: string;

beforeAll(async () => {
  api = await createTestApi({ rateLimits: false, now: () => clock, audit: { retentionDays: 30 } });
  const staff = await api.auth.users.create({
    email: 'auditor@example.com',
    password: PASSWORD,
    isStaff: true,
  });
  await api.auth.permissions.grantToUser(staff.id, ['audit.view']);
  adaId = (await api.auth.users.create({ email: 'ada@example.com', password: PASSWORD })).id;
  // Three failed sign-ins a day apart, one with a formula for a user agent.
  for (const [i, agent] of ['Browser/1', 'Browser/2', '=HYPERLINK("http://evil")'].entries()) {
    clock = new Date(Date.parse('2026-03-01T12:00:00Z') + i * 86_400_000);
    await api
      .client()
      .post(
        '/auth/signin',
        { email: 'ada@example.com', password: 'wrong password' },
        { headers: { 'user-agent': agent } },
      );
  }
  auditor = api.client();
  auditor.cookies.set('gh_session', (await api.auth.sessions.create(staff.id)).token);
});
afterAll(() => api.close());

describe('GET /auth/admin/audit', () => {
  it('filters by type, user and time, newest first, and pages without gaps', async () => {
    const all = await auditor.get(`/auth/admin/audit?type=signin_failed&user=${adaId}`);
    expect(all.body.events.map((e: { userAgent: string }) => e.userAgent)).toEqual([
      '=HYPERLINK("http://evil")',
      'Browser/2',
      'Browser/1',
    ]);
    const window = await auditor.get(
      '/auth/admin/audit?type=signin_failed&since=2026-03-02T00:00:00Z&until=2026-03-03T00:00:00Z',
    );
    expect(window.body.events.map((e: { userAgent: string }) => e.userAgent)).toEqual(['Browser/2']);

    const first = await auditor.get('/auth/admin/audit?type=signin_failed&limit=2');
    expect(first.body.events).toHaveLength(2);
    const second = await auditor.get(
      `/auth/admin/audit?type=signin_failed&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.events).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses a malformed filter, naming it', async () => {
    for (const query of ['since=yesterday', 'type=DROP TABLE', 'limit=1000', 'colour=red']) {
      const reply = await auditor.get(`/auth/admin/audit?${query}`);
      expect(reply.status, query).toBe(400);
      expect(Object.keys(reply.body.error.fields), query).toEqual([query.split('=')[0]]);
    }
  });
});

describe('GET /auth/admin/audit.csv', () => {
  it('exports the filtered events as CSV that no spreadsheet runs as a formula', async () => {
    const reply = await auditor.get(`/auth/admin/audit.csv?type=signin_failed&user=${adaId}`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(reply.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = reply.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,type,userId,actorId,tenantId,ip,userAgent,details');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[3]).toContain(',Browser/1,');
  });

  it('quotes and defuses cells', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\nbye')).toBe('"say ""hi""\nbye"');
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});

describe('audit retention', () => {
  it('housekeeping deletes events older than retentionDays and keeps the rest', async () => {
    clock = new Date('2026-04-01T12:30:00Z'); // 31 days after the first failure, 29 after the last
    const result = await api.auth.housekeeping();
    expect(result.auditEvents).toBeGreaterThanOrEqual(2);
    const left = await api.auth.audit.list({ type: 'signin_failed', userId: adaId });
    expect(left.map((e) => e.userAgent)).toEqual(['=HYPERLINK("http://evil")']);
  });
});

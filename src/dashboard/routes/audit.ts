/** `/audit`: the filtered audit log, and the link to the same selection as CSV (served by the API). */
import { AUDIT_FILTERS, auditPage } from '../pages/audit.js';
import { queryError, type Screen } from '../screen.js';

export async function auditRoutes(s: Screen, apiBase: string): Promise<Response | null> {
  if (s.segments[0] !== 'audit' || s.segments.length > 1 || s.method !== 'GET') return null;
  const query = s.query(AUDIT_FILTERS);
  const filters = new URLSearchParams(query).toString();
  const csvUrl = `${apiBase}/admin/audit.csv${filters ? `?${filters}` : ''}`;
  const reply = await s.get(`/admin/audit?${new URLSearchParams({ ...query, ...s.query(['cursor']) })}`);
  if (reply.status === 400) {
    return s.send(
      auditPage(s.ctx, { events: [], nextCursor: null, query, csvUrl, error: queryError(reply) }),
      400,
    );
  }
  if (reply.status !== 200) return s.failure(reply);
  return s.send(auditPage(s.ctx, { ...reply.body, query, csvUrl, error: null }));
}

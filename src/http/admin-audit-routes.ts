/**
 * The audit trail for staff holding `audit.view`: a filtered, paginated list
 * (type, user, actor, time range) and the same selection as a CSV download.
 */

import type { CustomFields } from '../accounts/custom-fields.js';
import type { AuditEvent, AuditQuery } from '../audit/audit-log.js';
import { GUARDED } from './admin-access.js';
import { auditQuery } from './admin-schemas.js';
import type { Exchange } from './exchange.js';
import { json } from './responses.js';
import type { RouteSpec } from './routes.js';
import { parseBody } from './schemas.js';

/** The most rows one CSV export holds; narrow the filters for more. */
export const MAX_EXPORT_ROWS = 100_000;
const EXPORT_PAGE = 1000;
const CSV_COLUMNS = [
  'id',
  'at',
  'type',
  'userId',
  'actorId',
  'tenantId',
  'ip',
  'userAgent',
  'details',
] as const;

export function adminAuditRoutes<F extends CustomFields>(): RouteSpec<F>[] {
  return [
    {
      method: 'GET',
      path: '/admin/audit',
      summary: 'Audit events, newest first: filter by type, user, actor and time; keyset pagination',
      signedIn: true,
      permission: 'audit.view',
      query: auditQuery,
      success: { status: 200, description: '`{events, nextCursor}`' },
      errors: [...GUARDED, 'invalid_request'],
      async handle(x) {
        const { filters, limit } = readQuery(x);
        const events = await x.core.audit.list({ ...filters, limit: limit + 1 });
        const page = events.slice(0, limit);
        const nextCursor = events.length > limit ? (page.at(-1)?.id ?? null) : null;
        return json(200, { events: page, nextCursor }, x.headers);
      },
    },
    {
      method: 'GET',
      path: '/admin/audit.csv',
      summary: `The filtered audit events as CSV (at most ${MAX_EXPORT_ROWS} rows, newest first)`,
      signedIn: true,
      permission: 'audit.view',
      query: auditQuery,
      success: { status: 200, description: '`text/csv`, one event per row' },
      errors: [...GUARDED, 'invalid_request'],
      async handle(x) {
        const { filters } = readQuery(x);
        const lines = [CSV_COLUMNS.join(',')];
        let before = filters.before;
        while (lines.length <= MAX_EXPORT_ROWS) {
          const page = await x.core.audit.list({
            ...filters,
            ...(before ? { before } : {}),
            limit: Math.min(EXPORT_PAGE, MAX_EXPORT_ROWS + 1 - lines.length),
          });
          for (const event of page) lines.push(csvRow(event));
          if (page.length < EXPORT_PAGE) break;
          before = page.at(-1)?.id;
        }
        const headers = {
          ...x.headers,
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="audit-events.csv"',
        };
        return new Response(`${lines.join('\r\n')}\r\n`, { status: 200, headers });
      },
    },
  ];
}

function readQuery<F extends CustomFields>(x: Exchange<F>): { filters: AuditQuery; limit: number } {
  const query = parseBody(auditQuery, Object.fromEntries(new URL(x.request.url).searchParams));
  return {
    limit: query.limit ?? 50,
    filters: {
      ...(query.type ? { type: query.type } : {}),
      ...(query.user ? { userId: query.user } : {}),
      ...(query.actor ? { actorId: query.actor } : {}),
      ...(query.since ? { since: new Date(query.since) } : {}),
      ...(query.until ? { until: new Date(query.until) } : {}),
      ...(query.cursor ? { before: query.cursor } : {}),
    },
  };
}

function csvRow(event: AuditEvent): string {
  return CSV_COLUMNS.map((column) => {
    const value = event[column];
    if (value === null || value === undefined) return '';
    if (value instanceof Date) return value.toISOString();
    return csvCell(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }).join(',');
}

/**
 * One CSV cell: quoted when it must be, and never a formula — a cell a
 * spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, CR) gets a leading
 * apostrophe (OWASP "CSV injection"): user agents and details are client text.
 */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

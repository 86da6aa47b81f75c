/**
 * The OpenAPI 3.1 document of the API, generated from the route table and the
 * zod schemas that validate the requests.
 */
import { z } from 'zod';
import type { CustomFields } from '../accounts/custom-fields.js';
import { type ErrorCode, errorStatus } from '../errors.js';
import type { RouteSpec } from './routes.js';

export function openApiDocument<F extends CustomFields>(routes: readonly RouteSpec<F>[], basePath: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = basePath + route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...[...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...queryParameters(route.query),
    ];
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      summary: route.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.signedIn ? { security: [{ sessionCookie: [] }, { bearer: [] }] } : {}),
      ...(route.permission || route.tenantPermission
        ? { 'x-required-permission': route.permission ?? route.tenantPermission }
        : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }),
                },
                'application/x-www-form-urlencoded': {
                  schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }),
                },
              },
            },
          }
        : {}),
      responses: {
        [route.success.status]: { description: route.success.description },
        ...errorResponses(route.errors),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version: '1' },
    paths,
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-gh_session' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(errorStatus) },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}

function queryParameters(query: z.ZodObject | undefined) {
  if (!query) return [];
  const schema = z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));
}

/** One response per status; its description lists the codes that status can carry. */
function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, 'internal_error' as const]) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: `Error codes: ${list.join(', ')}`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        'x-error-codes': list,
      },
    ]),
  );
}

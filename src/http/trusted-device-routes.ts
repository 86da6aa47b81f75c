/**
 * Remembered browsers ("remember this browser" at the MFA challenge): the
 * user lists them and forgets one or all; a forgotten browser is asked for
 * the second factor at its next sign-in.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import { AuthError } from '../errors.js';
import { deviceCookieName, readCookie } from './cookies.js';
import type { Exchange } from './exchange.js';
import { empty, json } from './responses.js';
import type { RouteSpec } from './routes.js';

export function trustedDeviceRoutes<F extends CustomFields>(): RouteSpec<F>[] {
  return [
    {
      method: 'GET',
      path: '/trusted-devices',
      summary: 'The browsers that skip your second factor ("remember this browser")',
      signedIn: true,
      success: {
        status: 200,
        description: '`{devices: [{id, current, userAgent, ip, createdAt, lastUsedAt, expiresAt}]}`',
      },
      errors: ['unauthenticated'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const devices = await x.core.mfa.trustedDevices.list(user.id);
        const current = await currentDevice(x, user.id);
        return json(200, { devices: devices.map((d) => ({ ...d, current: d.id === current })) }, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/trusted-devices/:id',
      summary: 'Forget a remembered browser: its next sign-in asks for the second factor again',
      signedIn: true,
      success: { status: 204, description: 'Forgotten' },
      errors: ['unauthenticated', 'not_found', 'csrf_failed'],
      async handle(x, params) {
        const { user } = await x.requireSignedIn();
        const id = params.id ?? '';
        if (!(await x.core.mfa.trustedDevices.forget(user.id, id))) {
          throw new AuthError('not_found', 'There is no such device.');
        }
        await x.core.audit.record({
          type: 'device_forgotten',
          userId: user.id,
          ...x.client,
          details: { device: id },
        });
        return empty(204, x.headers);
      },
    },
    {
      method: 'DELETE',
      path: '/trusted-devices',
      summary: 'Forget every remembered browser',
      signedIn: true,
      success: { status: 204, description: 'Forgotten' },
      errors: ['unauthenticated', 'csrf_failed'],
      async handle(x) {
        const { user } = await x.requireSignedIn();
        const forgotten = await x.core.mfa.trustedDevices.forgetAll(user.id);
        await x.core.audit.record({
          type: 'device_forgotten',
          userId: user.id,
          ...x.client,
          details: { forgotten },
        });
        return empty(204, x.headers);
      },
    },
  ];
}

/** The id of the remembered-browser row this request's device cookie names, if any. */
async function currentDevice<F extends CustomFields>(x: Exchange<F>, userId: string): Promise<string | null> {
  const token = readCookie(x.request.headers.get('cookie'), deviceCookieName(x.cookie));
  return token ? x.core.mfa.trustedDevices.idOf(userId, token) : null;
}

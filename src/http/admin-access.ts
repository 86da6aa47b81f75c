/**
 * What every admin route shares: finding the user or group a route names,
 * and the rules that keep staff from raising anyone's privileges above their
 * own (see admin-routes.ts), and the audit record naming the actor.
 */
import type { CustomFields } from '../accounts/custom-fields.js';
import type { User } from '../accounts/user.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { AuthError, type ErrorCode } from '../errors.js';
import type { Exchange } from './exchange.js';

export const GUARDED: readonly ErrorCode[] = ['unauthenticated', 'forbidden'];
export const CHANGES: readonly ErrorCode[] = [...GUARDED, 'csrf_failed', 'not_found'];

export async function userOf<F extends CustomFields>(x: Exchange<F>, params: Record<string, string>) {
  const user = await x.core.users.get(params.id ?? '');
  if (!user) throw new AuthError('not_found', 'There is no such user.');
  return user;
}

/**
 * The user a change is aimed at, if the actor may change them: only
 * superusers change superusers, and staff change only users whose
 * permissions are all among their own.
 */
export async function changeableUser<F extends CustomFields>(
  x: Exchange<F>,
  actor: User<F>,
  params: Record<string, string>,
): Promise<User<F>> {
  const target = await userOf(x, params);
  if (target.isSuperuser) onlySuperusers(actor, 'change a superuser');
  if (!actor.isSuperuser && target.id !== actor.id) {
    const { permissions } = x.core;
    const held = await permissions.getAllPermissions(actor);
    for (const codename of await permissions.getAllPermissions(target)) {
      if (!held.has(codename)) {
        throw new AuthError(
          'forbidden',
          'This user holds permissions you do not; ask someone who holds them.',
        );
      }
    }
  }
  return target;
}

export function onlySuperusers(actor: { isSuperuser: boolean }, what: string): void {
  if (!actor.isSuperuser) throw new AuthError('forbidden', `Only a superuser can ${what}.`);
}

export async function groupOf<F extends CustomFields>(x: Exchange<F>, params: Record<string, string>) {
  const group = await x.core.permissions.getGroupById(params.id ?? '');
  if (!group) throw new AuthError('not_found', 'There is no such group.');
  return group;
}

/** Staff may hand out only what they hold themselves (superusers hold everything). */
export async function requireHeld<F extends CustomFields>(
  x: Exchange<F>,
  actor: User<F>,
  codenames: readonly string[],
): Promise<void> {
  if (actor.isSuperuser || codenames.length === 0) return;
  const held = await x.core.permissions.getAllPermissions(actor);
  const missing = [...new Set(codenames)].filter((codename) => !held.has(codename));
  if (missing.length > 0) {
    throw new AuthError('forbidden', `You cannot grant permissions you do not hold: ${missing.join(', ')}.`);
  }
}

export function audit<F extends CustomFields>(
  x: Exchange<F>,
  actor: User<F>,
  entry: Omit<AuditEntry, 'actorId' | 'ip' | 'userAgent'>,
): Promise<void> {
  return x.core.audit.record({ ...entry, actorId: actor.id, ...x.client });
}

/**
 * `gatehouse tenants …`: create a tenant, list them, and add an existing
 * account to one with groups there. Changes are recorded in the audit log
 * as the admin API records them, marked `via: 'cli'`.
 */
import type { Command } from 'commander';
import type { Auth } from '../../auth.js';
import type { Tenant } from '../../tenants/tenants.js';
import { CliError, type CliIo, print } from '../io.js';
import { printTable } from '../table.js';
import { withAuth } from './permissions.js';

export function tenantsCommand(program: Command, io: CliIo): void {
  const tenants = program.command('tenants').description('Manage tenants (organisations) and their members.');
  tenants
    .command('create')
    .description('Create a tenant; its pages and API are at /t/<slug>/.')
    .argument('<slug>', 'lower-case letters, digits and hyphens')
    .requiredOption('--name <name>', 'the name its members see')
    .option('--isolated', 'give it its own user pool (default: the shared one)')
    .option('--logo <url>', 'a logo for its sign-in pages')
    .action((slug: string, options: { name: string; isolated?: boolean; logo?: string }, command: Command) =>
      withAuth(io, command, async (auth) => {
        const tenant = await auth.tenants.create({
          slug,
          name: options.name,
          pool: options.isolated ? 'isolated' : 'shared',
          ...(options.logo !== undefined ? { logoUrl: options.logo } : {}),
        });
        await auth.audit.record({
          type: 'tenant_created',
          details: { tenant: tenant.id, slug: tenant.slug, via: 'cli' },
        });
        print(io.stdout, `Created tenant ${tenant.slug} (${tenant.id}) with the ${tenant.pool} user pool.`);
      }),
    );
  tenants
    .command('list')
    .description('List the tenants by slug.')
    .option('--json', 'one JSON object per line instead of a table')
    .action((options: { json?: boolean }, command: Command) =>
      withAuth(io, command, async (auth) => {
        const all = await everyTenant(auth);
        if (options.json) {
          for (const tenant of all) print(io.stdout, JSON.stringify(tenant));
          return;
        }
        printTable(
          io,
          ['id', 'slug', 'name', 'pool', 'active', 'created'],
          all.map((t) => [
            t.id,
            t.slug,
            t.name,
            t.pool,
            t.isActive ? 'yes' : 'no',
            t.createdAt.toISOString(),
          ]),
        );
        print(io.stdout, `${all.length} tenant(s).`);
      }),
    );
  tenants
    .command('add-member')
    .description('Make an existing account a member of a tenant (again: replaces their groups there).')
    .argument('<tenant>', 'the tenant, by id or slug')
    .argument('<user>', "the user's id, or email or username in the tenant's user pool")
    .option('--group <name...>', 'groups the member holds in the tenant')
    .action((tenantRef: string, userRef: string, options: { group?: string[] }, command: Command) =>
      withAuth(io, command, async (auth) => {
        const tenant = await auth.tenants.find(tenantRef);
        if (!tenant) throw new CliError(`There is no tenant "${tenantRef}".`);
        const user = await userOf(auth, tenant, userRef);
        const groups = options.group ?? [];
        await auth.tenants.addMember(tenant.id, user.id, { groups });
        await auth.audit.record({
          type: 'member_added',
          userId: user.id,
          tenantId: tenant.id,
          details: { groups, via: 'cli' },
        });
        const held = groups.length > 0 ? ` with ${groups.join(', ')}` : '';
        print(io.stdout, `Added ${user.email} to tenant ${tenant.slug}${held}.`);
      }),
    );
}

async function everyTenant(auth: Auth): Promise<Tenant[]> {
  const all: Tenant[] = [];
  let cursor: string | null = null;
  do {
    const page = await auth.tenants.list({ cursor, limit: 100 });
    all.push(...page.tenants);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** The account `ref` names in the tenant's user pool: by id, else by email or username there. */
async function userOf(auth: Auth, tenant: Tenant, ref: string) {
  const byId = await auth.users.get(ref);
  const user =
    byId?.poolId === tenant.poolId ? byId : await auth.users.getByIdentifier(ref, { pool: tenant.poolId });
  if (!user) {
    const pool =
      tenant.pool === 'isolated' ? `the user pool of tenant ${tenant.slug}` : 'the shared user pool';
    throw new CliError(`There is no user "${ref}" in ${pool}.`);
  }
  return user;
}

import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { AuthError, ConfigError, createAuth, UserFieldMigrationError } from '../../src/index.js';
import { createTestAuth, type TestAuth } from '../helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const password = 'quartz-meadow-808';

const fields = {
  phoneNumber: { type: 'string', maxLength: 20, optional: true },
  plan: { type: 'string', choices: ['free', 'pro'], default: 'free' },
  seats: { type: 'integer', min: 1, default: 1 },
  newsletter: { type: 'boolean', optional: true },
  birthDate: { type: 'timestamp', optional: true },
  companyName: { type: 'string' },
} as const;

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('custom user fields', () => {
  let t: TestAuth<typeof fields>;
  beforeAll(async () => {
    t = await createTestAuth({ user: { fields } });
  });
  afterAll(() => t.close());

  it('are stored as real columns and returned, typed, on the user', async () => {
    const birthDate = new Date('1990-05-17T00:00:00.000Z');
    const user = await t.auth.users.create({
      email: 'fields@example.com',
      password,
      companyName: 'Analytical Engines',
      phoneNumber: '+44 20 7946 0000',
      newsletter: true,
      birthDate,
    });
    expect(user).toMatchObject({
      companyName: 'Analytical Engines',
      plan: 'free',
      seats: 1,
      newsletter: true,
    });
    expect(user.birthDate).toEqual(birthDate);
    const row = await t.auth.database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toHaveProperty('phone_number', '+44 20 7946 0000');
    expect(row).toHaveProperty('company_name', 'Analytical Engines');
    expect(await t.auth.users.get(user.id)).toEqual(user);

    expectTypeOf(user.phoneNumber).toEqualTypeOf<string | null>();
    expectTypeOf(user.plan).toEqualTypeOf<'free' | 'pro'>();
    expectTypeOf(user.seats).toEqualTypeOf<number>();
    expectTypeOf(user.birthDate).toEqualTypeOf<Date | null>();
    expectTypeOf(user.companyName).toEqualTypeOf<string>();
    expectTypeOf(user.isStaff).toEqualTypeOf<boolean>();
  });

  it('validates every field on create and reports all problems', async () => {
    const error = await rejection(
      t.auth.users.create({
        email: 'bad-fields@example.com',
        password,
        phoneNumber: 'x'.repeat(21),
        plan: 'enterprise' as 'pro',
        seats: 0,
        newsletter: 'yes' as unknown as boolean,
      } as never),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.fields).toEqual({
      companyName: 'This field is required.',
      phoneNumber: 'Enter at most 20 characters.',
      plan: 'Choose one of: free, pro.',
      seats: 'Enter a number of at least 1.',
      newsletter: 'Enter true or false.',
    });
    expect(await t.auth.users.getByEmail('bad-fields@example.com')).toBeNull();
  });

  it('validates on update and leaves absent fields alone', async () => {
    const user = await t.auth.users.create({ email: 'upd-fields@example.com', password, companyName: 'A' });
    const updated = await t.auth.users.update(user.id, { plan: 'pro', seats: 5 });
    expect(updated).toMatchObject({ plan: 'pro', seats: 5, companyName: 'A' });
    const error = await rejection(t.auth.users.update(user.id, { companyName: null }));
    expect(error.fields).toEqual({ companyName: 'This field is required.' });
    expect((await rejection(t.auth.users.update(user.id, { seats: 1.5 }))).fields).toHaveProperty('seats');
    expect((await t.auth.users.update(user.id, { phoneNumber: null })).phoneNumber).toBeNull();
  });
});

describe('migrating custom fields', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const open = (declared: Record<string, unknown>) =>
    createAuth({
      logLevel: 'silent',
      database: { url: db.url, ...(db.schema ? { schema: db.schema } : {}) },
      user: { fields: declared as never },
    });

  it('adds a new field as a column and fills its default into existing rows', async () => {
    const first = await createTestAuth({}, db);
    const user = await first.auth.users.create({ email: 'early@example.com', password });
    await first.close();

    const second = open({ tier: { type: 'string', default: 'basic' } });
    const result = await second.migrate();
    expect(result.fields).toEqual([{ action: 'add', field: 'tier', column: 'tier', type: 'string' }]);
    expect(await second.users.get(user.id)).toMatchObject({ tier: 'basic' });
    expect((await second.migrate()).fields).toEqual([]);
    await second.close();
  });

  it('refuses a required field without a default once users exist', async () => {
    const auth = open({ tier: { type: 'string', default: 'basic' }, vatNumber: { type: 'string' } });
    const error = await auth.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFieldMigrationError);
    expect((error as UserFieldMigrationError).problems.join()).toMatch(/vatNumber.*required.*default/);
    expect((await auth.migrationStatus()).fields.problems).toHaveLength(1);
    await auth.close();
  });

  it('refuses to drop a field that is no longer declared, keeping its data, until told to', async () => {
    const auth = open({});
    const error = await auth.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFieldMigrationError);
    expect((error as Error).message).toMatch(
      /"tier" is no longer declared.*1 user\(s\) have a value.*--drop-field tier/s,
    );
    const row = await auth.database.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(row).toHaveProperty('tier', 'basic');

    const dropped = await auth.migrate({ dropFields: ['tier'] });
    expect(dropped.fields).toEqual([{ action: 'drop', field: 'tier', column: 'tier', type: 'string' }]);
    const after = await auth.database.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(after).not.toHaveProperty('tier');
    await auth.close();
  });

  it('refuses to change the type of a recorded field', async () => {
    const first = open({ score: { type: 'integer', optional: true } });
    await first.migrate();
    await first.close();
    const second = open({ score: { type: 'string', optional: true } });
    const error = await second.migrate().catch((e: unknown) => e);
    expect((error as UserFieldMigrationError).problems.join()).toMatch(
      /"score" is stored as integer but now declared as string/,
    );
    await second.close();
  });
});

describe('custom field declarations', () => {
  it('are checked at start-up, listing every problem', () => {
    const error = (() => {
      try {
        createAuth({
          logLevel: 'silent',
          user: {
            fields: {
              email: { type: 'string' },
              'bad name': { type: 'string' },
              level: { type: 'integer', default: 1.5 },
              colour: { type: 'colour' },
            } as never,
          },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/colour/);
  });

  it('refuse names of built-in fields and invalid defaults', () => {
    const attempt = () =>
      createAuth({
        logLevel: 'silent',
        user: { fields: { email: { type: 'string' }, level: { type: 'integer', default: 1.5 } } as never },
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (e) {
      const problems = (e as ConfigError).problems;
      expect(problems.some((p) => /"email" is a built-in user field/.test(p))).toBe(true);
      expect(problems.some((p) => /default of "level" is invalid/.test(p))).toBe(true);
    }
  });
});

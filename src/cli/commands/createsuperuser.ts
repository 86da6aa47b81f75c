import type { Command } from 'commander';
import { AuthError } from '../../errors.js';
import { CliError, type CliIo, print } from '../io.js';
import { databaseError, openAuth } from '../open-auth.js';
import { Prompter } from '../prompt.js';
import { askNewPassword } from './ask-new-password.js';

interface Options {
  email?: string;
  username?: string;
  input: boolean;
}

export function createsuperuserCommand(program: Command, io: CliIo): void {
  program
    .command('createsuperuser')
    .description('Create a staff superuser. Asks for what is missing; in scripts use --no-input.')
    .option('--email <email>', "the superuser's email (or $GATEHOUSE_SUPERUSER_EMAIL)")
    .option('--username <username>', 'an optional username (or $GATEHOUSE_SUPERUSER_USERNAME)')
    .option('--no-input', 'ask nothing: take the password from $GATEHOUSE_SUPERUSER_PASSWORD')
    .action(async (options: Options, command: Command) => {
      const auth = await openAuth(io, command.optsWithGlobals().config, { requireMigrated: true });
      const prompter = new Prompter(io);
      try {
        const email = options.email ?? io.env.GATEHOUSE_SUPERUSER_EMAIL;
        const username = options.username ?? io.env.GATEHOUSE_SUPERUSER_USERNAME;
        const user = options.input
          ? await interactive(io, prompter, auth, email, username)
          : await auth.users.createSuperuser({
              email: email ?? missing('--email or $GATEHOUSE_SUPERUSER_EMAIL'),
              username: username ?? null,
              password: io.env.GATEHOUSE_SUPERUSER_PASSWORD ?? missing('$GATEHOUSE_SUPERUSER_PASSWORD'),
            });
        print(io.stdout, `Superuser ${user.email} created (${user.id}).`);
      } catch (error) {
        throw error instanceof AuthError ? refusal(error) : databaseError(auth, error);
      } finally {
        prompter.close();
        await auth.close();
      }
    });
}

async function interactive(
  io: CliIo,
  prompter: Prompter,
  auth: Awaited<ReturnType<typeof openAuth>>,
  givenEmail: string | undefined,
  givenUsername: string | undefined,
) {
  const email = givenEmail ?? (await prompter.ask('Email: '));
  if (await auth.users.getByEmail(email)) throw new CliError('A user with this email already exists.');
  const username = givenUsername ?? ((await prompter.ask('Username (optional, Enter to skip): ')) || null);
  const password = await askNewPassword(io, prompter, auth, { email, username });
  return auth.users.createSuperuser({ email, username, password });
}

function missing(what: string): never {
  throw new CliError(`With --no-input, give ${what}.`);
}

/** A refusal from the core, with its field messages, as the command's error. */
export function refusal(error: AuthError): CliError {
  return new CliError(
    error.message,
    Object.entries(error.fields ?? {}).map(([field, why]) => `${field}: ${why}`),
  );
}

import type { Command } from 'commander';
import { AuthError } from '../../errors.js';
import { CliError, type CliIo, print } from '../io.js';
import { databaseError, openAuth } from '../open-auth.js';
import { Prompter } from '../prompt.js';
import { askNewPassword } from './ask-new-password.js';
import { refusal } from './createsuperuser.js';

export function changepasswordCommand(program: Command, io: CliIo): void {
  program
    .command('changepassword')
    .description("Set a user's password (asked twice, hidden).")
    .argument('<email>', 'the email or username of the user')
    .action(async (identifier: string, _options: unknown, command: Command) => {
      const auth = await openAuth(io, command.optsWithGlobals().config, { requireMigrated: true });
      const prompter = new Prompter(io);
      try {
        const user = await auth.users.getByIdentifier(identifier);
        if (!user) throw new CliError(`There is no user "${identifier}".`);
        print(io.stdout, `Changing the password of ${user.email}`);
        const password = await askNewPassword(io, prompter, auth, user);
        await auth.users.setPassword(user.id, password, { validate: false });
        print(io.stdout, `Password changed for ${user.email}.`);
      } catch (error) {
        throw error instanceof AuthError ? refusal(error) : databaseError(auth, error);
      } finally {
        prompter.close();
        await auth.close();
      }
    });
}

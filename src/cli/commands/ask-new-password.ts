import type { Auth } from '../../auth.js';
import { validatePassword } from '../../passwords/index.js';
import { CliError, type CliIo, print } from '../io.js';
import type { Prompter } from '../prompt.js';

const MAX_ATTEMPTS = 3;

/**
 * Asks for a new password twice (hidden) until both entries match and the
 * validators accept it, at most three times, like Django's `changepassword`.
 */
export async function askNewPassword(
  io: CliIo,
  prompter: Prompter,
  auth: Auth,
  user: { email: string; username?: string | null; firstName?: string; lastName?: string },
): Promise<string> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const password = await prompter.askHidden('Password: ');
    const again = await prompter.askHidden('Password (again): ');
    if (password !== again) {
      print(io.stderr, 'The passwords do not match.');
      continue;
    }
    const problems = await validatePassword(password, user, auth.validators);
    if (problems.length === 0) return password;
    for (const problem of problems) print(io.stderr, problem);
  }
  throw new CliError(`No acceptable password after ${MAX_ATTEMPTS} attempts; nothing was changed.`);
}

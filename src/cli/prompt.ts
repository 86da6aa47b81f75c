/**
 * Questions on the terminal. On a TTY a hidden answer is read in raw mode and
 * never echoed; when stdin is a pipe (scripts, tests) answers are read one line
 * each, and running out of lines is an error rather than a hang.
 */
import { createInterface } from 'node:readline';
import { CliError, type CliIo } from './io.js';

export class Prompter {
  readonly #io: CliIo;
  #lines: AsyncIterator<string> | null = null;

  constructor(io: CliIo) {
    this.#io = io;
  }

  get interactive(): boolean {
    return this.#io.stdin.isTTY === true;
  }

  async ask(question: string): Promise<string> {
    this.#io.stdout.write(question);
    if (!this.interactive) return this.#nextLine();
    const rl = createInterface({ input: this.#io.stdin, output: this.#io.stdout, terminal: true });
    try {
      return await new Promise<string>((resolve) => rl.question('', resolve));
    } finally {
      rl.close();
    }
  }

  async askHidden(question: string): Promise<string> {
    this.#io.stdout.write(question);
    if (!this.interactive || !this.#io.stdin.setRawMode) return this.#nextLine();
    return this.#readRawHidden();
  }

  close(): void {
    this.#lines?.return?.();
  }

  async #nextLine(): Promise<string> {
    if (!this.#lines) {
      this.#lines = createInterface({ input: this.#io.stdin, terminal: false })[Symbol.asyncIterator]();
    }
    const next = await this.#lines.next();
    if (next.done) throw new CliError('Input ended before every question was answered.');
    this.#io.stdout.write('\n');
    return next.value;
  }

  #readRawHidden(): Promise<string> {
    const { stdin, stdout } = this.#io;
    return new Promise((resolve, reject) => {
      let answer = '';
      const finish = (error?: CliError) => {
        stdin.off('data', onData);
        stdin.setRawMode?.(false);
        stdin.pause();
        stdout.write('\n');
        if (error) reject(error);
        else resolve(answer);
      };
      const onData = (chunk: Buffer | string) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') return finish();
          if (char === '\u0003' || (char === '\u0004' && answer === ''))
            return finish(new CliError('Cancelled.'));
          if (char === '\u007f' || char === '\b') answer = [...answer].slice(0, -1).join('');
          else if (char >= ' ') answer += char;
        }
      };
      stdin.setRawMode?.(true);
      stdin.resume();
      stdin.on('data', onData);
    });
  }
}

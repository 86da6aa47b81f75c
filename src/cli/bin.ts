#!/usr/bin/env node
import { runCli } from './program.js';

const io = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
};

const status = await runCli(process.argv.slice(2), io, {
  onStarted(stop) {
    const shutdown = (signal: string) => {
      process.stderr.write(`${signal} received: finishing open requests, then stopping.\n`);
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`Error while stopping: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  },
});
if (status !== 0) process.exitCode = status;

#!/usr/bin/env node
// Fails when an import breaks the dependency rule of DESIGN.md: the doors
// (http, cli, ui, adapters) sit on top and only another door or the composition root imports them; domain modules
// only import modules below them (methods -> sessions, tokens -> accounts -> passwords);
// the shared leaves (errors, events, crypto, logger, polling-worker, db) import no domain module.
// The browser client (client/) is bundled on its own: it imports nothing outside itself, no package either.
// The token verifier (verify/) runs in resource servers and edge runtimes: it imports jose and nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', 'src');
const doors = new Set(['http', 'cli', 'ui', 'dashboard', 'adapters']);
const domainRank = {
  passwords: 0,
  audit: 0,
  webhooks: 1,
  accounts: 1,
  permissions: 2,
  sessions: 2,
  tokens: 2,
  tenants: 3,
  mail: 1,
  methods: 4,
};
const leaves = new Set(['errors.ts', 'events.ts', 'crypto.ts', 'logger.ts', 'polling-worker.ts', 'db']);
// The composition root wires the layers together, the HTTP door included.
const compositionRoot = new Set(['auth.ts', 'index.ts']);

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

const topOf = (path) => relative(root, path).split('/')[0];
const problems = [];
for (const file of sourceFiles(root)) {
  const from = topOf(file);
  const text = readFileSync(file, 'utf8');
  if (from === 'verify') {
    for (const match of text.matchAll(/(?:from|import\(?)\s*'([^']+)'/g)) {
      if (match[1] !== 'jose' && topOf(resolve(dirname(file), match[1])) !== 'verify')
        problems.push(`${relative(root, file)} imports ${match[1]}: verify/ imports jose and nothing else`);
    }
  }
  if (from === 'client') {
    for (const match of text.matchAll(/(?:from|import\(?)\s*'([^']+)'/g)) {
      if (!match[1].startsWith('.') || topOf(resolve(dirname(file), match[1])) !== 'client')
        problems.push(`${relative(root, file)} imports ${match[1]}: client/ imports nothing outside itself`);
    }
  }
  for (const match of text.matchAll(/(?:from|import\(?)\s*'(\.[^']+)'/g)) {
    const target = resolve(dirname(file), match[1]);
    const to = topOf(target);
    if (to === from) continue;
    const where = `${relative(root, file)} imports ${relative(root, target)}`;
    if (doors.has(to) && !doors.has(from) && !compositionRoot.has(from))
      problems.push(`${where}: only a door may import ${to}/`);
    else if (leaves.has(from) && to in domainRank) problems.push(`${where}: ${from} is a shared leaf`);
    else if (from in domainRank && to in domainRank && domainRank[to] >= domainRank[from]) {
      problems.push(`${where}: ${from}/ sits below ${to}/`);
    }
  }
}
if (problems.length > 0) {
  console.error(`Dependency rule broken:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('Dependency rule holds.');

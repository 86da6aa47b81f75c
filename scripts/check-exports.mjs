#!/usr/bin/env node
// Imports every subpath of the built package by its public name, so a broken
// `exports` entry (or a missing build output) fails CI rather than a user.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const expected = {
  '.': ['createAuth', 'AuthError', 'defineConfig'],
  './passwords': ['createPasswordHashers'],
  './db': ['openDatabase'],
  './client': ['createClient', 'GatehouseError'],
  './verify': ['createVerifier', 'TokenVerificationError'],
  './node': ['gatehouseMiddleware', 'requireUser', 'toRequest'],
  './express': ['gatehouse', 'requireUser', 'requireStaff'],
  './hono': ['gatehouse', 'requireUser', 'requireStaff'],
  './fastify': ['gatehouse', 'requireUser', 'requireStaff'],
  './next': ['routeHandlers', 'getSession', 'guardProxy'],
};
let failed = false;
for (const subpath of Object.keys(pkg.exports)) {
  const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  try {
    const module = await import(specifier);
    const missing = (expected[subpath] ?? []).filter((name) => !(name in module));
    if (missing.length > 0) throw new Error(`missing exports: ${missing.join(', ')}`);
    console.log(`ok   ${specifier} (${Object.keys(module).length} exports)`);
  } catch (error) {
    failed = true;
    console.error(`FAIL ${specifier}: ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);

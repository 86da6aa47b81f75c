/** Gatehouse (and its native modules) run from node_modules, not bundled. */
export default {
  serverExternalPackages: ['gatehouse', 'better-sqlite3', '@node-rs/argon2', '@node-rs/bcrypt', 'pg'],
};

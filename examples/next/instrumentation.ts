// Runs once when the server starts: bring the database up to date before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { auth } = await import('./lib/auth');
    await auth.migrate();
  }
}

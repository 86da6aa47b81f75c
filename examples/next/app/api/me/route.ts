import { getSession } from 'gatehouse/next';
import { auth } from '../../../lib/auth';

// A route handler reading the session.
export async function GET() {
  const current = await getSession(auth);
  return Response.json({ email: current?.user.email ?? null });
}

import { getSession } from 'gatehouse/next';
import { auth } from '../../lib/auth';

// Guarded by proxy.ts: only signed-in users get here.
export default async function Me() {
  const current = await getSession(auth);
  return <p id="me">{current?.user.email}</p>;
}

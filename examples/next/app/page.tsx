import { getSession } from 'gatehouse/next';
import { auth } from '../lib/auth';

// A server component: the session is read from this request's cookie, on every request.
export default async function Home() {
  const current = await getSession(auth);
  return <p id="who">{current ? `Signed in as ${current.user.email}` : 'Not signed in'}</p>;
}

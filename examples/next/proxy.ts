import { guardProxy } from 'gatehouse/next';
import { auth } from './lib/auth';

// Runs before /me: browsers are sent to sign in, API clients get 401.
export const proxy = guardProxy(auth, { loginRequired: true });
export const config = { matcher: ['/me'] };

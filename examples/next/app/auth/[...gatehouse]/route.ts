import { routeHandlers } from 'gatehouse/next';
import { auth } from '../../../lib/auth';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = routeHandlers(auth);

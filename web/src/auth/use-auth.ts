import { useSyncExternalStore } from 'react';
import { authSession, type AuthState } from './session.ts';

/** The page's auth state (mode, who is signed in, whether a sign-in is being asked for). */
export function useAuth(): AuthState {
  const session = authSession();
  return useSyncExternalStore(session.subscribe, session.getState);
}

// Who is signed in. The server keeps the session (a cookie); the app keeps the user and
// the CSRF token for the calls it makes.
//
// Extension points (used by the offline outbox):
//   registerSignOutCheck(fn)   fn() → a message when signing out must wait, else null
//   registerSignOutCleanup(fn) fn(user) → runs after the server has ended the session
//   onSessionChange(fn)        fn(state) on every change (sign in, sign out, expiry)
//   registerOfflineUser(fn)    fn() → the user last signed in on this device, or null: lets
//                              the app open with no signal (status 'offline' with a user)
//
// Two-step sign-in: `secondFactor` is { enrolled, enrol_first } as the server says. When
// the password is right and a code is needed, signIn rejects with an ApiError whose code is
// SECOND_FACTOR_REQUIRED: ask for the code and call signIn again with it. A session with
// `enrol_first` may only set up two-step sign-in: its status is 'enrolling' (not
// 'signed-in'), so nothing else (the outbox, the offline kit) starts until it is done.
import { ApiError, session as sessionApi, sessionEnded, setCsrfToken } from './api.js';
import { createStore, useStore } from './store.js';

const store = createStore({ status: 'loading', user: null, notice: null, secondFactor: null });
const signOutChecks = [];
const signOutCleanups = [];
let offlineUser = async () => null;

function update(next) {
  store.set({ ...store.get(), ...next });
}

export function sessionState() {
  return store.get();
}

export function onSessionChange(listener) {
  return store.subscribe(listener);
}

export function registerSignOutCheck(check) {
  signOutChecks.push(check);
}

export function registerSignOutCleanup(cleanup) {
  signOutCleanups.push(cleanup);
}

export function registerOfflineUser(find) {
  offlineUser = find;
}

/** The session state; re-renders the caller when it changes. */
export function useSession() {
  return useStore(store);
}

export const SECOND_FACTOR_REQUIRED = 'second_factor_required';
export const SECOND_FACTOR_FAILED = 'second_factor_failed';

function signedIn(answer) {
  setCsrfToken(answer.csrf_token);
  const secondFactor = answer.second_factor ?? null;
  update({ status: secondFactor?.enrol_first ? 'enrolling' : 'signed-in', user: answer.user,
    notice: null, secondFactor });
}

/** Asks the server who is signed in (at start, and after coming back online). */
export async function loadSession() {
  try {
    signedIn(await sessionApi.current());
  } catch (error) {
    if (error instanceof ApiError && error.offline) {
      update({ status: 'offline', user: await offlineUser() });
    } else {
      setCsrfToken(null);
      update({ status: 'signed-out', user: null });
    }
  }
}

/** Signs in; `otp` is the code from the authenticator app (or a recovery code), when asked. */
export async function signIn(email, password, otp = null) {
  signedIn(await sessionApi.signIn(otp ? { email, password, otp } : { email, password }));
}

/** Two-step sign-in is now set up: the session may do everything. */
export function secondFactorSetUp() {
  update({ status: 'signed-in', secondFactor: { enrolled: true, enrol_first: false } });
}

/** Thrown when something (unsent visits) must be dealt with before signing out. */
export class SignOutRefused extends Error {}

export async function signOut() {
  for (const check of signOutChecks) {
    const reason = await check(store.get().user);
    if (reason) throw new SignOutRefused(reason);
  }
  const user = store.get().user;
  await sessionApi.signOut();
  setCsrfToken(null);
  for (const cleanup of signOutCleanups) await cleanup(user);
  update({ status: 'signed-out', user: null, notice: 'You have signed out.', secondFactor: null });
}

sessionEnded.subscribe(() => {
  const { status } = store.get();
  if (status === 'signed-in' || status === 'enrolling') {
    update({ status: 'signed-out', user: null, secondFactor: null,
      notice: 'Your session has ended. Please sign in again.' });
  }
});

// Back in signal after starting without it: find out who is signed in.
window.addEventListener('online', () => {
  if (store.get().status === 'offline') loadSession();
});

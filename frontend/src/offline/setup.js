// Wires the offline store and the outbox into the app: who the outbox belongs to, when it
// is sent (on sign-in and start, on reconnecting, after a retry delay, on demand), what
// signing out must wait for and clear, and the Outbox screen.
import { addRoute } from '../routes.js';
import { registerRubricSource } from '../rubric.js';
import { applySettings, registerSettingsSource } from '../settings.js';
import {
  onSessionChange,
  registerOfflineUser,
  registerSignOutCheck,
  registerSignOutCleanup,
  sessionState,
} from '../session.js';
import { registerUpdateCheck } from '../updates.js';
import { FixVisit } from '../visit/FixVisit.jsx';
import { OutboxBadge, OutboxScreen } from '../visit/Outbox.jsx';
import { existingDatabase, forgetUser } from './db.js';
import { keptKit, lastUser, refreshKit, rememberUser } from './kit.js';
import { countOutbox, isSyncing, setOutboxUser, sync } from './outbox.js';

addRoute({ path: '/outbox', screen: OutboxScreen, nav: 'outbox' },
  { key: 'outbox', href: '/outbox', label: 'Outbox', badge: OutboxBadge });
addRoute({ path: '/outbox/:key', screen: FixVisit, nav: 'outbox' });

registerOfflineUser(lastUser);
registerRubricSource(async () => (await keptKit(sessionState().user))?.rubric ?? null);
registerSettingsSource(async () => (await keptKit(sessionState().user))?.settings ?? null);

function plural(count, one, many) {
  return count === 1 ? one : many;
}

registerSignOutCheck(async (user) => {
  if (!user) return null;
  const waiting = await countOutbox(user.id);
  if (waiting > 0) {
    return `You cannot sign out yet: ${waiting} ${plural(waiting, 'visit is', 'visits are')} ` +
      `still on this phone, not sent. Open the Outbox and press "Sync now" when you have ` +
      `signal, or discard ${plural(waiting, 'it', 'them')} there if ${plural(waiting, 'it', 'they')} ` +
      `cannot be sent.`;
  }
  const db = await existingDatabase();
  const drafts = db ? (await db.getAll('drafts')).filter((d) => d.userId === user.id) : [];
  if (drafts.length > 0) {
    return 'You cannot sign out yet: a visit you started recording has not been sent. ' +
      'Open it from the family and send it, or choose "Discard this visit".';
  }
  return null;
});

// Signing out leaves nothing behind: this user's kit, drafts and outbox (the database
// itself when nobody else has anything waiting), the app's caches, and the session.
registerSignOutCleanup(async (user) => {
  if (user) await forgetUser(user.id);
  setOutboxUser(null);
  if ('caches' in window) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
});

registerUpdateCheck(async () => (isSyncing()
  ? 'Visits are being sent right now. Update when that has finished, in a moment.'
  : null));

async function askToKeepData() {
  // Without this a browser may clear the outbox when the phone runs short of space.
  try {
    if (navigator.storage?.persist && !(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  } catch {
    // Not offered here: the outbox still works, at the browser's discretion.
  }
}

async function cacheAppShell() {
  // Signing out empties the caches; the service worker refills them for the next person.
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    registration?.active?.postMessage({ type: 'CACHE_APP_SHELL' });
  } catch {
    // No service worker: the app works online only.
  }
}

let signedInAs = null;

onSessionChange((state) => {
  const user = state.user;
  if (!user) {
    signedInAs = null;
    setOutboxUser(null);
    return;
  }
  setOutboxUser(user);
  if (state.status !== 'signed-in' || signedInAs === user.id) return;
  signedInAs = user.id;
  (async () => {
    await rememberUser(user);
    askToKeepData();
    cacheAppShell();
    const kit = await refreshKit(user).catch(() => null); // offline: the kept kit serves
    if (kit?.settings) applySettings(kit.settings); // the newest the server has
    await sync({ force: true });
  })();
});

window.addEventListener('online', () => {
  if (sessionState().status === 'signed-in') sync({ force: true });
});

// The outbox: every visit goes through here, with or without signal (one code path). A visit
// and each of its photos carry their own idempotency key, made when the visit is queued and
// kept across retries, so the server records each exactly once however often it is sent.
//
// Sending: the visit, then its photos. An answer that says the server could not be reached
// or failed (no connection, 5xx, 429) is retried later with a growing delay; a refusal (any
// other 4xx) is kept and shown to the person to correct or, deliberately, to discard (which
// the server logs). Nothing is ever dropped silently. A 401 stops sending: the items wait for
// the same user to sign in again.
import { ApiError, visits } from '../api.js';
import { bump, createStore } from '../store.js';
import { database, existingDatabase } from './db.js';

const FIRST_RETRY_MS = 2000;
const PHOTOS_AT_ONCE = 2;
const LONGEST_RETRY_MS = 5 * 60 * 1000;
export const OLD_AFTER_MS = 24 * 60 * 60 * 1000;

let currentUser = null;
let running = null;
let queued = null;
let forceQueued = false;
let timer = null;

/** Counts the outbox's changes (queued, sent, refused, discarded): subscribe to hear of them. */
export const outboxChanges = createStore(0);

function changed() {
  bump(outboxChanges);
}

/** Whose outbox is sent and shown (null: nobody signed in, nothing is sent). */
export function setOutboxUser(user) {
  currentUser = user ? { id: user.id } : null;
  clearTimeout(timer);
  changed();
}

export function isSyncing() {
  return running !== null;
}

/** The delay before try number `attempts + 1`: 2 s, 4 s, 8 s … at most 5 minutes, jittered. */
export function retryDelay(attempts) {
  const base = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 + Math.random() * 0.2));
}

// --- what is waiting ---------------------------------------------------------------------

/** The user's queued visits, oldest first, each with its photos' counts. */
export async function listOutbox(userId) {
  const db = await existingDatabase();
  if (!db) return [];
  const items = await db.getAllFromIndex('outbox', 'userId', userId);
  const photos = (await db.getAllFromIndex('photos', 'userId', userId))
    .filter((photo) => photo.state !== 'draft');
  return items
    .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt))
    .map((item) => {
      const own = photos.filter((photo) => photo.owner === item.key);
      return { ...item, photos: own.length,
        refusedPhotos: own.filter((photo) => photo.state === 'attention') };
    });
}

export async function countOutbox(userId) {
  const db = userId === undefined || userId === null ? null : await existingDatabase();
  return db ? (await db.getAllKeysFromIndex('outbox', 'userId', userId)).length : 0;
}

export async function outboxItem(key) {
  return (await (await database()).get('outbox', key)) ?? null;
}

export function isOld(item, now = Date.now()) {
  return now - Date.parse(item.queuedAt) > OLD_AFTER_MS;
}

// --- queueing ------------------------------------------------------------------------------

/**
 * Puts a visit, with the photos taken for it, in the outbox in one transaction, and removes
 * its draft. `body` is the visit as the API takes it; `parentAgreed` is the parent's or
 * carer's answer about photos. Queueing the same key again (a double tap, or a corrected
 * visit) replaces the waiting copy: still one visit. `form` is the form as filled in, so
 * a refused visit can be corrected where it was left.
 */
export async function queueVisit({ user, familyId, familyReference, key, body, parentAgreed, form }) {
  const db = await database();
  const tx = db.transaction(['outbox', 'photos', 'drafts'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const earlier = await outbox.get(key);
  await outbox.put({
    key, userId: user.id, familyId: Number(familyId), familyReference, body, form,
    queuedAt: earlier?.queuedAt ?? new Date().toISOString(),
    state: 'waiting', visitId: earlier?.visitId ?? null, attempts: 0, nextTryAt: 0,
    problem: null, lastTry: null,
  });
  const photos = tx.objectStore('photos');
  for (const photo of await photos.index('owner').getAll(key)) {
    await photos.put({ ...photo, state: 'waiting', problem: null, parentAgreed });
  }
  await tx.objectStore('drafts').delete([user.id, Number(familyId)]);
  await tx.done;
  changed();
}

// --- sending -------------------------------------------------------------------------------

/** What an answer means for the item: try again later, stop (signed out), or ask the person. */
export function classify(error) {
  if (!(error instanceof ApiError)) return 'retry';
  if (error.status === 0 || error.status >= 500 || error.status === 429) return 'retry';
  if (error.status === 401) return 'signed-out';
  if (error.status === 403 && error.code === 'csrf_failed') return 'signed-out';
  return 'attention';
}

function describe(error, what) {
  return { status: error.status ?? 0, code: error.code ?? 'error', what,
    message: error.message, fields: error.fields ?? null };
}

async function sendVisit(item) {
  const answer = await visits.submit(item.familyId, item.body, item.key);
  return answer.id;
}

async function sendPhoto(visitId, photo) {
  const form = new FormData();
  form.append('file', photo.blob, `photo-${photo.key}.jpg`);
  form.append('domain_key', photo.domainKey);
  if (photo.room) form.append('room', photo.room);
  form.append('caption', photo.caption ?? '');
  form.append('parent_agreed', photo.parentAgreed ? 'true' : 'false');
  await visits.addPhoto(visitId, form, photo.key);
}

async function update(store, value) {
  await (await database()).put(store, value);
  changed();
}

/**
 * Sends photos, `width` at a time. A refused photo is marked for the person and the others
 * go on; no connection, a 5xx or the end of the session stops the rest, and that error is
 * returned (null when every photo was sent or refused).
 */
async function sendPhotos(visitId, photos, width) {
  const db = await database();
  const queue = [...photos];
  let stopped = null;
  const worker = async () => {
    while (queue.length > 0 && !stopped) {
      const photo = queue.shift();
      try {
        await sendPhoto(visitId, photo);
        await db.delete('photos', photo.key);
        changed();
      } catch (error) {
        if (classify(error) === 'attention') {
          await update('photos', { ...photo, state: 'attention', problem: describe(error, 'photo') });
        } else {
          stopped ??= error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, photos.length) }, worker));
  return stopped;
}

/** Sends one visit and its photos; returns 'sent', 'retry', 'attention' or 'signed-out'. */
async function sendItem(item) {
  const db = await database();
  const now = new Date().toISOString();
  if (!item.visitId) {
    try {
      item.visitId = await sendVisit(item);
      await update('outbox', { ...item, problem: null, lastTry: now });
    } catch (error) {
      return fail(item, error, 'visit');
    }
  }
  const photos = (await db.getAllFromIndex('photos', 'owner', item.key))
    .filter((photo) => photo.state === 'waiting');
  // Two at a time: the server reworks each photo (decode, renditions) before storing it,
  // so a second upload uses a second core while the first is being worked on.
  const stopped = await sendPhotos(item.visitId, photos, PHOTOS_AT_ONCE);
  if (stopped) return fail(item, stopped, 'photo');
  const left = await db.getAllFromIndex('photos', 'owner', item.key);
  if (left.length === 0) {
    await db.delete('outbox', item.key);
    changed();
    return 'sent';
  }
  const refused = left.find((photo) => photo.state === 'attention');
  await update('outbox', { ...item, state: 'attention', lastTry: now,
    problem: refused ? refused.problem : null });
  return 'attention';
}

async function fail(item, error, what) {
  const outcome = classify(error);
  const now = Date.now();
  if (outcome === 'retry') {
    const attempts = item.attempts + 1;
    await update('outbox', { ...item, attempts, nextTryAt: now + retryDelay(attempts),
      lastTry: new Date(now).toISOString(), problem: describe(error, what), state: 'waiting' });
  } else if (outcome === 'attention') {
    await update('outbox', { ...item, state: 'attention', lastTry: new Date(now).toISOString(),
      problem: describe(error, what) });
  }
  return outcome;
}

async function run(force) {
  const user = currentUser;
  if (!user) return {};
  const db = await database();
  const now = Date.now();
  const items = (await db.getAllFromIndex('outbox', 'userId', user.id))
    .filter((item) => item.state === 'waiting' && (force || item.nextTryAt <= now))
    .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  const outcomes = {};
  for (const item of items) {
    if (currentUser?.id !== user.id) break; // signed out meanwhile
    const outcome = await sendItem(item);
    outcomes[item.key] = outcome;
    // No connection, the server failing, or the session gone: the rest would fare the same.
    if (outcome === 'retry' || outcome === 'signed-out') break;
  }
  await scheduleRetry(user.id);
  return outcomes;
}

async function scheduleRetry(userId) {
  clearTimeout(timer);
  const waiting = (await (await database()).getAllFromIndex('outbox', 'userId', userId))
    .filter((item) => item.state === 'waiting');
  if (waiting.length === 0) return;
  const soonest = Math.min(...waiting.map((item) => item.nextTryAt));
  timer = setTimeout(() => sync(), Math.max(500, soonest - Date.now()));
}

function withLock(work) {
  // One sender per browser (several tabs): the keys would keep it correct anyway; this keeps
  // it quiet.
  if (navigator.locks?.request) return navigator.locks.request('homelog-outbox', work);
  return work();
}

/**
 * Sends what is due (everything waiting, with `force`). Resolves with each tried item's
 * outcome. A call during a run waits for it and then runs again, so nothing queued
 * meanwhile waits for the next trigger.
 */
export function sync({ force = false } = {}) {
  if (!running) {
    running = withLock(() => run(force)).finally(() => { running = null; changed(); });
    changed();
    return running;
  }
  forceQueued ||= force;
  queued ??= running.then(() => {
    const again = forceQueued;
    queued = null;
    forceQueued = false;
    return sync({ force: again });
  });
  return queued;
}

// --- the person's decisions ---------------------------------------------------------------

/** Puts a refused item back in line (after the cause was fixed elsewhere, e.g. access). */
export async function retryItem(key) {
  const db = await database();
  const item = await db.get('outbox', key);
  if (!item) return;
  for (const photo of await db.getAllFromIndex('photos', 'owner', key)) {
    if (photo.state === 'attention') await db.put('photos', { ...photo, state: 'waiting', problem: null });
  }
  await update('outbox', { ...item, state: 'waiting', attempts: 0, nextTryAt: 0, problem: null });
}

/**
 * Discards a queued visit (and its photos) for good, after putting it on the record on the
 * server (POST /outbox/discards). Needs a connection: a loss must be logged to happen.
 */
export async function discardItem(key, reason) {
  const db = await database();
  const item = await db.get('outbox', key);
  if (!item) return null;
  const photos = await db.getAllFromIndex('photos', 'owner', key);
  const problem = item.problem?.message ?? '';
  let answer;
  if (!item.visitId) {
    answer = await visits.discardQueued({ kind: 'visit', idempotency_key: key,
      family_id: item.familyId, queued_at: item.queuedAt, reason, last_problem: problem });
  }
  // The visit was recorded but some photos were refused: each photo is logged on its own.
  // (Photos of a visit never recorded go with the visit's entry.)
  for (const photo of item.visitId ? photos : []) {
    await visits.discardQueued({ kind: 'photo', idempotency_key: photo.key,
      family_id: item.familyId, visit_id: item.visitId, queued_at: item.queuedAt, reason,
      last_problem: photo.problem?.message ?? problem });
  }
  const tx = db.transaction(['outbox', 'photos'], 'readwrite');
  await tx.objectStore('outbox').delete(key);
  for (const photo of photos) await tx.objectStore('photos').delete(photo.key);
  await tx.done;
  changed();
  return answer ?? null;
}

/** Keeps the form of a refused visit while it is being corrected (it stays refused until sent). */
export async function saveOutboxForm(key, form) {
  const db = await database();
  const item = await db.get('outbox', key);
  if (item) await db.put('outbox', { ...item, form });
}

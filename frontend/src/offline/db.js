// What this phone keeps in IndexedDB (via idb), always per user: a shared phone never shows
// one person's kit, drafts or outbox to another.
//
//   meta     'user' → the user last signed in here ({ id, name, agency }), to open offline
//   kits     userId → { rubric, families, savedAt }: the minimum to record a visit offline
//   drafts   [userId, familyId] → a visit being recorded (restored if the phone locks)
//   outbox   key (the visit's idempotency key) → a visit waiting to be sent
//   photos   key (the photo's idempotency key) → a downscaled photo (Blob) of a draft or of
//            a queued visit (`owner` is the draft's id or the visit's key)
//
// The outbox lives here, not in the service worker, so a new version of the app never
// loses or strands it.
import { deleteDB, openDB } from 'idb';

export const DB_NAME = 'homelog';
const VERSION = 1;

let opening = null;

/** The database (opened once per page). */
export function database() {
  opening ??= openDB(DB_NAME, VERSION, {
    upgrade(db) {
      db.createObjectStore('meta');
      db.createObjectStore('kits');
      db.createObjectStore('drafts', { keyPath: ['userId', 'familyId'] });
      const outbox = db.createObjectStore('outbox', { keyPath: 'key' });
      outbox.createIndex('userId', 'userId');
      const photos = db.createObjectStore('photos', { keyPath: 'key' });
      photos.createIndex('owner', 'owner');
      photos.createIndex('userId', 'userId');
    },
    blocking() {
      // Another page wants to delete or upgrade the database: let it.
      opening?.then((db) => db.close());
      opening = null;
    },
  });
  return opening;
}

/**
 * The database if this phone has one, else null, without creating it: reading must not
 * leave an empty database behind after a sign-out cleared everything.
 */
export async function existingDatabase() {
  if (!opening && indexedDB.databases) {
    const names = (await indexedDB.databases()).map((found) => found.name);
    if (!names.includes(DB_NAME)) return null;
  }
  return database();
}

/** Removes everything of `userId`; the whole database if nobody else has anything waiting. */
export async function forgetUser(userId) {
  const db = await database();
  const others = (await db.getAll('outbox')).filter((item) => item.userId !== userId);
  if (others.length === 0) {
    db.close();
    opening = null;
    await deleteDB(DB_NAME);
    return;
  }
  const tx = db.transaction(['meta', 'kits', 'drafts', 'outbox', 'photos'], 'readwrite');
  await tx.objectStore('kits').delete(userId);
  for (const store of ['drafts', 'outbox', 'photos']) {
    let cursor = await tx.objectStore(store).openCursor();
    while (cursor) {
      if (cursor.value.userId === userId) await cursor.delete();
      cursor = await cursor.continue();
    }
  }
  const last = await tx.objectStore('meta').get('user');
  if (last?.id === userId) await tx.objectStore('meta').delete('user');
  await tx.done;
}

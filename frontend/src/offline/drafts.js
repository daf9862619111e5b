// A visit being recorded is kept on the phone as it is filled in, so nothing is lost if the
// phone locks, the page reloads or the battery dies: one draft per user and family. Its
// photos are kept as Blobs under the visit's idempotency key (made when the draft starts),
// and move to the outbox with it.
import { database } from './db.js';

export async function loadDraft(userId, familyId) {
  return (await (await database()).get('drafts', [userId, Number(familyId)])) ?? null;
}

export async function saveDraft(draft) {
  await (await database()).put('drafts', { ...draft, savedAt: new Date().toISOString() });
}

/** Removes a draft and the photos taken for it (never the photos of a queued visit). */
export async function discardDraft(userId, familyId, key) {
  const db = await database();
  const tx = db.transaction(['drafts', 'photos', 'outbox'], 'readwrite');
  await tx.objectStore('drafts').delete([userId, Number(familyId)]);
  const queued = await tx.objectStore('outbox').get(key);
  const photos = tx.objectStore('photos');
  for (const photo of await photos.index('owner').getAll(key)) {
    if (!queued || photo.state === 'draft') await photos.delete(photo.key);
  }
  await tx.done;
}

export async function photosOf(key) {
  const photos = await (await database()).getAllFromIndex('photos', 'owner', key);
  return photos.sort((a, b) => a.addedAt.localeCompare(b.addedAt));
}

export async function keepPhoto({ userId, owner, domainKey, blob, width, height }) {
  const photo = { key: crypto.randomUUID(), userId, owner, domainKey, room: null, caption: '',
    parentAgreed: false, blob, width, height, state: 'draft', problem: null,
    addedAt: new Date().toISOString() };
  await (await database()).put('photos', photo);
  return photo;
}

export async function removePhoto(key) {
  await (await database()).delete('photos', key);
}

// The offline kit: the rubric, the partnership's settings (scale, limits, time zone) and,
// for the user's own families, the minimum to record a visit (reference, children's
// initials and ages, agreed levels), fetched when there is
// signal and kept per user. Also remembers who signed in last, so the app opens offline.
import { offlineKit } from '../api.js';
import { database, existingDatabase } from './db.js';

/** Fetches the kit and keeps it for `user`; resolves with it (rejects if offline). */
export async function refreshKit(user) {
  const kit = await offlineKit.get();
  const kept = { ...kit, savedAt: new Date().toISOString() };
  const db = await database();
  await db.put('kits', kept, user.id);
  return kept;
}

/** The kit kept for `user`, or null. */
export async function keptKit(user) {
  const db = user ? await existingDatabase() : null;
  return db ? (await db.get('kits', user.id)) ?? null : null;
}

/** The kit from the server when it answers, else the one kept on the phone. */
export async function currentKit(user) {
  try {
    return await refreshKit(user);
  } catch (error) {
    if (error.offline || error.status >= 500) {
      const kept = await keptKit(user);
      if (kept) return kept;
    }
    throw error;
  }
}

/** One family of the kit, refreshing the kit once if it is not there (a family just added). */
export async function kitFamily(user, familyId) {
  const id = Number(familyId);
  let kit = await keptKit(user);
  let family = kit?.families.find((item) => item.id === id);
  if (!family) {
    kit = await currentKit(user);
    family = kit.families.find((item) => item.id === id);
  }
  return family ? { kit, family } : { kit, family: null };
}

export async function rememberUser(user) {
  const db = await database();
  await db.put('meta', { id: user.id, name: user.name, agency: user.agency ?? null }, 'user');
}

export async function lastUser() {
  const db = await existingDatabase();
  return db ? (await db.get('meta', 'user')) ?? null : null;
}

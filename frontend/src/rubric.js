// The partnership's rubric (domains, their five descriptors, rooms, immediate concerns),
// read once per signed-in session.
//
// Extension point: registerRubricSource(fn) — fn() → a rubric kept on the phone, used
// when the server cannot be reached (the offline store keeps one per user).
import { ApiError, rubrics } from './api.js';
import { onSessionChange } from './session.js';

let loading = null;
let offlineSource = async () => null;

export function registerRubricSource(source) {
  offlineSource = source;
}

/** The current rubric (one request per session; later calls share it). */
export function loadRubric() {
  loading ??= rubrics.current().catch(async (error) => {
    loading = null;
    if (error instanceof ApiError && error.offline) {
      const kept = await offlineSource();
      if (kept) return kept;
    }
    throw error;
  });
  return loading;
}

const versions = new Map();

/**
 * One version of the rubric in full (a visit scored with an earlier version is shown in its
 * own words). Kept for the session; the current rubric when the server cannot be reached.
 */
export async function loadRubricVersion(version) {
  const current = await loadRubric();
  if (!version || version === current.version) return current;
  if (!versions.has(version)) {
    versions.set(version, rubrics.version(version).catch((error) => {
      versions.delete(version);
      if (error instanceof ApiError && error.offline) return current;
      throw error;
    }));
  }
  return versions.get(version);
}

/** Lookup tables for showing a visit: domain, room and concern names by key. */
export function rubricNames(rubric) {
  return {
    domains: Object.fromEntries(rubric.domains.map((domain) => [domain.key, domain])),
    rooms: Object.fromEntries(rubric.rooms.map((room) => [room.key, room.label])),
    concerns: Object.fromEntries(rubric.concerns.map((concern) => [concern.key, concern])),
  };
}

onSessionChange((state) => {
  if (state.status !== 'signed-in') { // a new user reads it afresh
    loading = null;
    versions.clear();
  }
});

// The partnership's settings the phone works by (GET /app-settings): the scoring scale with
// the partnership's concern level, the limits the server checks (how far ahead of its clock
// a time may be, the length of every text) and the time zone people enter and read times
// in. Read once per signed-in session; with no signal, the copy in the offline kit.
//
// Extension point: registerSettingsSource(fn) — fn() → the settings kept on the phone, used
// when the server cannot be reached (the offline kit keeps them per user).
import { useEffect } from 'preact/hooks';
import { ApiError, appSettings } from './api.js';
import { onSessionChange } from './session.js';
import { createStore, useStore } from './store.js';
import { setTimeZone } from './words.js';

// { settings, error }: both null while they are being read.
const store = createStore({ settings: null, error: null });
let loading = null;
let offlineSource = async () => null;

export function registerSettingsSource(source) {
  offlineSource = source;
}

/** Puts settings in force: every screen reads them, every time is shown in their zone. */
export function applySettings(settings) {
  setTimeZone(settings.time_zone);
  store.set({ settings, error: null });
}

/** The settings (one request per session; later calls share it). */
export function loadSettings() {
  loading ??= appSettings.get().catch(async (error) => {
    if (error instanceof ApiError && error.offline) {
      const kept = await offlineSource();
      if (kept) return kept;
    }
    throw error;
  }).then((settings) => {
    applySettings(settings);
    return settings;
  }, (error) => {
    loading = null;
    store.set({ settings: store.get().settings, error }); // any settings read before stay
    throw error;
  });
  return loading;
}

/** Reads the settings again (after an administrator changed the concern level). */
export function reloadSettings() {
  loading = null;
  return loadSettings();
}

/** The settings now in force, or null before they are read. */
export function currentSettings() {
  return store.get().settings;
}

/** { settings, error, retry }: re-renders the caller when they are read; reads them if needed. */
export function useSettings() {
  const state = useStore(store);
  useEffect(() => {
    if (!state.settings && !state.error) loadSettings().catch(() => {});
  }, [state]);
  return { ...state, retry: () => loadSettings().catch(() => {}) };
}

onSessionChange((state) => {
  if (!state.user) { // a new user reads them afresh
    loading = null;
    setTimeZone(null);
    if (store.get().settings || store.get().error) store.set({ settings: null, error: null });
  }
});

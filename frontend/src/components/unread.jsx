// The number of unread inbox entries, shown on the bottom bar's Inbox link. Read when the
// app opens, every few minutes while it is in view, and whenever an entry is marked read.
// These reads are the app's own, not the person's: they say so (X-Homelog-Background), so
// they do not keep an unattended screen signed in nor fill the audit trail.
import { useEffect, useState } from 'preact/hooks';
import { inbox } from '../api.js';
import { bump, createStore } from '../store.js';

const EVERY = 5 * 60 * 1000;
const BACKGROUND = { 'X-Homelog-Background': '1' };

const inboxChanges = createStore(0);

/** Tells the badge to count again (after marking an entry read). */
export function inboxChanged() {
  bump(inboxChanges);
}

export function UnreadBadge() {
  const [count, setCount] = useState(0);
  useEffect(() => {
    let stopped = false;
    const recount = () => {
      if (document.visibilityState !== 'visible') return;
      inbox.list({ unread: 'true', limit: 200 }, { headers: BACKGROUND }).then(
        (entries) => !stopped && setCount(entries.length),
        () => {}, // offline or signed out: keep the last count
      );
    };
    recount();
    const timer = setInterval(recount, EVERY);
    const stopWatching = inboxChanges.subscribe(recount);
    document.addEventListener('visibilitychange', recount);
    return () => {
      stopped = true;
      clearInterval(timer);
      stopWatching();
      document.removeEventListener('visibilitychange', recount);
    };
  }, []);
  if (!count) return null;
  return (
    <span class="badge">
      <span class="visually-hidden">, </span>{count}<span class="visually-hidden"> unread</span>
    </span>
  );
}

// The visit being recorded, in one place: the draft and its changes, kept on the phone as
// they happen, its photos, and sending it through the outbox (with or without signal).
import { useEffect, useRef, useState } from 'preact/hooks';
import { keepPhoto, photosOf, removePhoto } from '../offline/drafts.js';
import { outboxItem, queueVisit, sync } from '../offline/outbox.js';
import { preparePhoto } from '../offline/photos.js';
import { visitBody } from './rules.js';

const SAVE_DELAY_MS = 200;

/**
 * `initial` is the draft to start from, `save(draft)` keeps it, `onDone(outcome)` is called
 * once the visit is in the outbox ('sent', 'waiting' or 'signed-out'); a refusal from the
 * server (`refusal`) is the first problem shown.
 */
export function useVisitDraft({ user, family, rubric, settings, initial, save, onDone, refusal }) {
  const [draft, setDraft] = useState(initial);
  const [photos, setPhotos] = useState([]);
  const [problem, setProblem] = useState(refusal);
  const [sending, setSending] = useState(false);
  const sendingRef = useRef(false);

  useEffect(() => {
    photosOf(draft.key).then(setPhotos);
  }, [draft.key]);

  // Keep every change on the phone: the page may be killed at any moment.
  // (Not while it is being sent: the outbox has it, and an old copy must not come back.)
  useEffect(() => {
    const keep = () => (sendingRef.current ? null : save(draft));
    const timer = setTimeout(keep, SAVE_DELAY_MS);
    const flush = () => {
      if (document.visibilityState === 'hidden') keep();
    };
    document.addEventListener('visibilitychange', flush);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', flush);
    };
  }, [draft]);

  const change = (fields) => setDraft((current) => ({ ...current, ...fields }));

  const addPhoto = async (domainKey, file) => {
    const prepared = await preparePhoto(file);
    const photo = await keepPhoto({ userId: user.id, owner: draft.key, domainKey, ...prepared });
    setPhotos((current) => [...current, photo]);
  };
  const dropPhoto = async (key) => {
    await removePhoto(key);
    setPhotos((current) => current.filter((photo) => photo.key !== key));
  };

  const stopSending = () => {
    sendingRef.current = false;
    setSending(false);
  };
  const send = async () => {
    if (sendingRef.current) return; // a second tap while the first is on its way
    sendingRef.current = true;
    setSending(true);
    setProblem(null);
    try {
      await queueVisit({ user, familyId: family.id, familyReference: family.reference,
        key: draft.key, body: visitBody(draft, rubric, settings),
        parentAgreed: draft.photosAgreed === true, form: draft });
      const outcome = (await sync({ force: true }))[draft.key];
      if (outcome === 'attention') {
        setProblem((await outboxItem(draft.key))?.problem ?? null);
        stopSending();
        return;
      }
      onDone(outcome === 'sent' ? 'sent' : outcome === 'signed-out' ? 'signed-out' : 'waiting');
    } catch (error) {
      setProblem({ message: error.message, fields: null });
      stopSending();
    }
  };

  return { draft, change, photos, addPhoto, dropPhoto, problem, sending, send };
}

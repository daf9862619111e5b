// The visit form: one step per screen (the visit, each domain, concerns, notes, review), big
// targets for one thumb, progress always shown, every change kept on the phone at once.
// Sending always goes through the outbox (with or without signal).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/common.jsx';
import { outboxItem, queueVisit, sync } from '../offline/outbox.js';
import { keepPhoto, photosOf, removePhoto } from '../offline/drafts.js';
import { preparePhoto } from '../offline/photos.js';
import { PRESENT } from '../words.js';
import { NOT_SEEN, needsNote, problems, stepKeys, visitBody, worryingDomains } from './rules.js';

const SAVE_DELAY_MS = 200;

/**
 * `initial` is the draft to start from, `save(draft)` keeps it, `onDone(outcome)` is
 * called once the visit is in the outbox ('sent', 'waiting' or 'signed-out').
 * A refusal from the server (`refusal`) is shown on the review step.
 */
export function VisitForm({ user, family, rubric, initial, save, onDone, onDiscard, refusal = null }) {
  const [draft, setDraft] = useState(initial);
  const [photos, setPhotos] = useState([]);
  const [problem, setProblem] = useState(refusal);
  const [sending, setSending] = useState(false);
  const sendingRef = useRef(false);
  const steps = useMemo(() => stepKeys(rubric), [rubric]);
  const step = Math.min(draft.step ?? 0, steps.length - 1);

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
  const goTo = (index) => {
    change({ step: index });
    window.scrollTo(0, 0);
  };

  const addPhoto = async (domainKey, file) => {
    const prepared = await preparePhoto(file);
    const photo = await keepPhoto({ userId: user.id, owner: draft.key, domainKey, ...prepared });
    setPhotos((current) => [...current, photo]);
  };
  const dropPhoto = async (key) => {
    await removePhoto(key);
    setPhotos((current) => current.filter((photo) => photo.key !== key));
  };

  const send = async () => {
    if (sendingRef.current) return; // a second tap while the first is on its way
    sendingRef.current = true;
    setSending(true);
    setProblem(null);
    try {
      await queueVisit({ user, familyId: family.id, familyReference: family.reference,
        key: draft.key, body: visitBody(draft, rubric), parentAgreed: draft.photosAgreed === true,
        form: draft });
      const outcomes = await sync({ force: true });
      const outcome = outcomes[draft.key];
      if (outcome === 'attention') {
        const item = await outboxItem(draft.key);
        setProblem(item?.problem ?? null);
        sendingRef.current = false;
        setSending(false);
        return;
      }
      onDone(outcome === 'sent' ? 'sent' : outcome === 'signed-out' ? 'signed-out' : 'waiting');
    } catch (error) {
      setProblem({ message: error.message, fields: null });
      sendingRef.current = false;
      setSending(false);
    }
  };

  const key = steps[step];
  const domainIndex = rubric.domains.findIndex((domain) => domain.key === key);
  return (
    <div class="visit-form">
      <FamilyLine family={family} />
      <Progress step={step} steps={steps} rubric={rubric} />
      <div class="visit-step">
        {key === 'visit' && <VisitStep draft={draft} rubric={rubric} change={change} />}
        {domainIndex >= 0 && (
          <DomainStep domain={rubric.domains[domainIndex]} index={domainIndex}
                      total={rubric.domains.length} rubric={rubric}
                      agreed={family.agreed_levels?.[key]} draft={draft} change={change}
                      photos={photos.filter((photo) => photo.domainKey === key)}
                      addPhoto={addPhoto} dropPhoto={dropPhoto} />
        )}
        {key === 'concerns' && <ConcernsStep draft={draft} rubric={rubric} change={change} />}
        {key === 'notes' && <NotesStep draft={draft} rubric={rubric} change={change} />}
        {key === 'review' && (
          <ReviewStep draft={draft} rubric={rubric} photos={photos} goTo={goTo} problem={problem}
                      sending={sending} send={send} onDiscard={onDiscard} />
        )}
      </div>
      <nav class="step-nav" aria-label="Steps">
        <button type="button" class="button button-secondary" disabled={step === 0}
                onClick={() => goTo(step - 1)}>Back</button>
        {step < steps.length - 1 && (
          <button type="button" class="button" onClick={() => goTo(step + 1)}>Next</button>
        )}
      </nav>
    </div>
  );
}

function ages(family) {
  const months = (count) => {
    if (count < 0) return 'not yet born';
    if (count < 24) return count === 1 ? '1 month' : `${count} months`;
    return `${Math.floor(count / 12)} years`;
  };
  return family.children.map((child) => `${child.initials} (${months(child.age_months)})`).join(', ');
}

function FamilyLine({ family }) {
  return (
    <p class="visit-family">
      <strong>Family {family.reference}</strong>
      <span>Children: {ages(family)}</span>
    </p>
  );
}

function stepName(key, rubric) {
  if (key === 'visit') return 'The visit';
  if (key === 'concerns') return 'Immediate concerns';
  if (key === 'notes') return 'Notes';
  if (key === 'review') return 'Check and send';
  return rubric.domains.find((domain) => domain.key === key)?.name ?? key;
}

function Progress({ step, steps, rubric }) {
  const heading = useRef(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, [step]);
  return (
    <div class="visit-progress">
      <h2 ref={heading} tabIndex={-1} class="visit-step-title">
        <span class="visit-step-count">Step {step + 1} of {steps.length}</span>
        {stepName(steps[step], rubric)}
      </h2>
      <progress max={steps.length} value={step + 1}
                aria-label={`Step ${step + 1} of ${steps.length}`} />
    </div>
  );
}

function toggle(list, value) {
  return list.includes(value) ? list.filter((item) => item !== value) : [...list, value];
}

function Choice({ name, checked, onChange, children, type = 'radio', hint }) {
  return (
    <label class={`choice${checked ? ' choice-on' : ''}`}>
      <input type={type} name={name} checked={checked} onChange={onChange} />
      <span class="choice-text">{children}{hint && <span class="choice-hint">{hint}</span>}</span>
    </label>
  );
}

function VisitStep({ draft, rubric, change }) {
  return (
    <>
      <label class="field">
        <span class="field-label">When was the visit</span>
        <input type="datetime-local" value={draft.visitedAt}
               onInput={(event) => change({ visitedAt: event.currentTarget.value })} />
      </label>
      <fieldset class="choices">
        <legend class="field-label">Was the visit announced?</legend>
        <Choice name="announced" checked={draft.announced === true}
                onChange={() => change({ announced: true })}>Announced (arranged)</Choice>
        <Choice name="announced" checked={draft.announced === false}
                onChange={() => change({ announced: false })}>Unannounced</Choice>
      </fieldset>
      <fieldset class="choices">
        <legend class="field-label">Who was present</legend>
        {Object.entries(PRESENT).map(([value, text]) => (
          <Choice key={value} type="checkbox" name="present" checked={draft.present.includes(value)}
                  onChange={() => change({ present: toggle(draft.present, value) })}>{text}</Choice>
        ))}
      </fieldset>
      <fieldset class="choices">
        <legend class="field-label">Rooms seen</legend>
        {rubric.rooms.map((room) => (
          <Choice key={room.key} type="checkbox" name="rooms"
                  checked={draft.roomsSeen.includes(room.key)}
                  onChange={() => change({ roomsSeen: toggle(draft.roomsSeen, room.key) })}>
            {room.label}
          </Choice>
        ))}
      </fieldset>
      <fieldset class="choices">
        <legend class="field-label">Did the parent or carer agree to photos?</legend>
        <Choice name="photos-agreed" checked={draft.photosAgreed === true}
                onChange={() => change({ photosAgreed: true })}>Yes, they agreed</Choice>
        <Choice name="photos-agreed" checked={draft.photosAgreed === false}
                onChange={() => change({ photosAgreed: false })}>No photos</Choice>
      </fieldset>
    </>
  );
}

function band(level, rubric) {
  if (level <= rubric.scale.good_enough_max) return 'good';
  if (level < rubric.scale.concern_min) return 'borderline';
  return 'concern';
}

const BAND_WORDS = { good: 'Good enough', borderline: 'Borderline', concern: 'Concern' };

function DomainStep({ domain, index, total, rubric, agreed, draft, change, photos, addPhoto, dropPhoto }) {
  const current = draft.scores[domain.key];
  const pick = (value) => change({ scores: { ...draft.scores, [domain.key]: value } });
  return (
    <>
      <fieldset class="levels">
        <legend class="field-label">
          How is it? (domain {index + 1} of {total})
        </legend>
        {[1, 2, 3, 4, 5].map((level) => (
          <label key={level} class={`level level-${band(level, rubric)}${current === level ? ' level-on' : ''}`}>
            <input type="radio" name={`level-${domain.key}`} checked={current === level}
                   onChange={() => pick(level)} />
            <span class="level-number" aria-hidden="true">{level}</span>
            <span class="level-text">
              <span class="visually-hidden">Level {level}: </span>
              {domain.levels[String(level)]}
              <span class="level-band">{BAND_WORDS[band(level, rubric)]}</span>
              {agreed === level && <span class="level-agreed">Agreed level</span>}
            </span>
          </label>
        ))}
        <label class={`level level-not-seen${current === NOT_SEEN ? ' level-on' : ''}`}>
          <input type="radio" name={`level-${domain.key}`} checked={current === NOT_SEEN}
                 onChange={() => pick(NOT_SEEN)} />
          <span class="level-text">Not seen</span>
        </label>
      </fieldset>
      <PhotoTaker domain={domain} photos={photos} allowed={draft.photosAgreed === true}
                  addPhoto={addPhoto} dropPhoto={dropPhoto} />
    </>
  );
}

function Thumbnail({ photo, label, onRemove }) {
  const url = useMemo(() => URL.createObjectURL(photo.blob), [photo.key]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <li class="thumb">
      <img src={url} alt={label} width="96" height="96" />
      <button type="button" class="button button-secondary thumb-remove" onClick={onRemove}
              aria-label={`Remove ${label.toLowerCase()}`}>Remove</button>
    </li>
  );
}

function PhotoTaker({ domain, photos, allowed, addPhoto, dropPhoto }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const onFile = async (event) => {
    const files = [...event.currentTarget.files];
    event.currentTarget.value = '';
    setBusy(true);
    setProblem(null);
    try {
      for (const file of files) await addPhoto(domain.key, file);
    } catch (error) {
      setProblem(error.message);
    }
    setBusy(false);
  };
  const name = domain.name.toLowerCase();
  return (
    <div class="photo-taker">
      {allowed ? (
        <label class={`button button-secondary camera${busy ? ' camera-busy' : ''}`}>
          <input type="file" accept="image/*" capture="environment" class="visually-hidden"
                 onChange={onFile} disabled={busy} />
          {busy ? 'Preparing the photo…' : `Take a photo: ${name}`}
        </label>
      ) : (
        <p class="field-hint">Photos: ask the parent or carer first (first step).</p>
      )}
      {problem && <p class="message message-error" role="alert">{problem}</p>}
      {photos.length > 0 && (
        <ul class="thumbs" aria-label={`Photos of the ${name}`}>
          {photos.map((photo, index) => (
            <Thumbnail key={photo.key} photo={photo} label={`Photo ${index + 1}: ${name}`}
                       onRemove={() => dropPhoto(photo.key)} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ConcernsStep({ draft, rubric, change }) {
  return (
    <fieldset class="choices">
      <legend class="field-label">Tick anything you saw. Any one raises a flag today.</legend>
      {rubric.concerns.map((concern) => (
        <Choice key={concern.key} type="checkbox" name="concerns"
                checked={draft.concerns.includes(concern.key)} hint={concern.description}
                onChange={() => change({ concerns: toggle(draft.concerns, concern.key) })}>
          {concern.label}
        </Choice>
      ))}
    </fieldset>
  );
}

function NotesStep({ draft, rubric, change }) {
  const required = needsNote(draft, rubric);
  const worrying = worryingDomains(draft, rubric).map((domain) => domain.name);
  return (
    <>
      <label class="field">
        <span class="field-label">Notes{required ? ' (needed)' : ' (optional)'}</span>
        {required && (
          <span class="field-hint">
            Explain {worrying.length > 0 ? `the scores of 4 or 5 (${worrying.join(', ')})` : ''}
            {worrying.length > 0 && draft.concerns.length > 0 ? ' and ' : ''}
            {draft.concerns.length > 0 ? 'the immediate concerns' : ''}.
          </span>
        )}
        <textarea value={draft.notes} maxLength={5000} required={required}
                  onInput={(event) => change({ notes: event.currentTarget.value })} />
      </label>
      <label class="field">
        <span class="field-label">How the children presented (optional)</span>
        <textarea value={draft.childPresentation} maxLength={2000}
                  onInput={(event) => change({ childPresentation: event.currentTarget.value })} />
      </label>
    </>
  );
}

function ReviewStep({ draft, rubric, photos, goTo, problem, sending, send, onDiscard }) {
  const steps = stepKeys(rubric);
  const missing = problems(draft, rubric, photos.length);
  const levelText = (domain) => {
    const score = draft.scores[domain.key];
    if (score === undefined) return 'Not answered';
    if (score === NOT_SEEN) return 'Not seen';
    return `${score}: ${domain.levels[String(score)]}`;
  };
  return (
    <>
      {missing.length > 0 && (
        <div class="message message-error" role="alert">
          <p>Before sending:</p>
          <ul>
            {missing.map((item) => (
              <li key={item.message}>
                <button type="button" class="link-button" onClick={() => goTo(item.step)}>
                  {item.message}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <ErrorMessage error={problem} />
      <dl class="review">
        <div><dt>Visit</dt><dd>{draft.announced === null ? 'Not answered'
          : draft.announced ? 'Announced' : 'Unannounced'}, {draft.visitedAt.replace('T', ' ')}</dd></div>
        <div><dt>Present</dt><dd>{draft.present.map((key) => PRESENT[key]).join(', ') || 'Nobody recorded'}</dd></div>
        <div><dt>Rooms seen</dt><dd>{rubric.rooms.filter((room) => draft.roomsSeen.includes(room.key))
          .map((room) => room.label).join(', ') || 'None recorded'}</dd></div>
        {rubric.domains.map((domain) => (
          <div key={domain.key}>
            <dt>
              <button type="button" class="link-button" onClick={() => goTo(steps.indexOf(domain.key))}>
                {domain.name}
              </button>
            </dt>
            <dd>{levelText(domain)}{photos.filter((p) => p.domainKey === domain.key).length > 0
              ? ` (photos: ${photos.filter((p) => p.domainKey === domain.key).length})` : ''}</dd>
          </div>
        ))}
        <div><dt>Immediate concerns</dt><dd>{draft.concerns.length === 0 ? 'None'
          : rubric.concerns.filter((c) => draft.concerns.includes(c.key)).map((c) => c.label).join(', ')}</dd></div>
        <div><dt>Notes</dt><dd>{draft.notes.trim() || 'None'}</dd></div>
      </dl>
      <div class="actions">
        <button type="button" class="button button-wide button-send"
                disabled={sending || missing.length > 0} onClick={send}>
          {sending ? 'Sending…' : 'Send visit'}
        </button>
      </div>
      {onDiscard && (
        <p>
          <button type="button" class="link-button link-danger" onClick={onDiscard}>
            Discard this visit
          </button>
        </p>
      )}
    </>
  );
}

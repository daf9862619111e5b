// The family's concerns: the picture in a few sentences, then one short card per concern
// (the engine groups a family's flags: one concern per domain and per family-wide matter,
// each immediate concern on its own and first). Each card opens onto the flags behind it,
// with their evidence and the core group's responses; closed flags are kept at the end.
// Lead social workers and managers can record one response for a whole concern.
import { useEffect, useRef, useState } from 'preact/hooks';
import { families } from '../api.js';
import { Loaded } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { FLAG_STATES, label, SEVERITY } from '../words.js';
import { FamilyFrame } from './FamilyFrame.jsx';
import { FlagCard, MAY_RESPOND, ResponseForm } from './FlagCard.jsx';

export function ConcernsScreen({ params, user }) {
  return (
    <FamilyFrame familyId={params.familyId} tab="concerns">
      {() => <Concerns familyId={params.familyId} mayRespond={MAY_RESPOND.has(user.role)} />}
    </FamilyFrame>
  );
}

/** "3 findings", "1 finding". */
function count(number, one, many = `${one}s`) {
  return `${number} ${number === 1 ? one : many}`;
}

/** The flag an address points at ("#flag-812", as the inbox links to one), if any. */
function flagInAddress() {
  const found = /^#flag-(\d+)$/.exec(window.location.hash);
  return found ? Number(found[1]) : null;
}

/** Brings the flag the address points at into view, with focus, once it is on the page. */
function useShowFlag(flagId, ready) {
  useEffect(() => {
    if (!ready || flagId === null) return;
    document.getElementById(`flag-${flagId}`)?.focus();
  }, [flagId, ready]);
}

/** The id of a concern card's heading. */
function headingOf(concern) {
  return `concern-${concern.key.replace(/[^a-z0-9]+/gi, '-')}`;
}

/**
 * After a response to a whole concern (or its refusal, the concern having changed), once the
 * concerns are loaded again: the card, if it is still there, takes focus and says what was
 * recorded; a card that has gone (closed) leaves its word, and focus, at the top of the list.
 * Returns [the answered concern, once settled; the word for the top of the list]; both
 * go with the next change (`answered` null).
 */
function useAfterAnswer(answered, answer) {
  const [settled, setSettled] = useState(null);
  const [notice, setNotice] = useState('');
  useEffect(() => {
    if (!answered || answered === settled || answer.loading || !answer.data
        || answer.data === answered.before) return;
    const still = answer.data.concerns.find((concern) => concern.key === answered.key);
    setSettled(answered);
    if (still) {
      setNotice('');
      if (!answered.stale) document.getElementById(headingOf(still))?.focus();
    } else {
      setNotice(answered.stale
        ? `${answered.title}: no longer open (it changed while you were writing), so your `
          + 'response was not recorded.'
        : `${answered.title}: closed, with your response. Its findings are under the closed `
          + 'flags.');
      document.getElementById('concerns-heading')?.focus();
    }
  }, [answered, settled, answer.loading, answer.data]);
  return answered && settled === answered ? [settled, notice] : [null, ''];
}

function Concerns({ familyId, mayRespond }) {
  const answer = useLoad((signal) => families.concerns(familyId, { signal }), [familyId]);
  const [changes, setChanges] = useState(0);
  const [wanted] = useState(flagInAddress);
  const [answered, setAnswered] = useState(null);
  const [settled, notice] = useAfterAnswer(answered, answer);
  const reload = () => {
    answer.reload();
    setChanges((value) => value + 1);
  };
  /** One flag answered: load the concerns again (what was said of the last concern goes). */
  const onChanged = () => {
    setAnswered(null);
    reload();
  };
  /** A concern answered (or found changed): load the concerns again, then say so. */
  const onAnswered = (outcome) => {
    setAnswered({ ...outcome, before: answer.data });
    reload();
  };
  useShowFlag(wanted, Boolean(answer.data));
  return (
    <Loaded state={answer} what="Loading the concerns">
      {({ picture, concerns }) => {
        const findings = concerns.reduce((sum, concern) => sum + concern.flag_ids.length, 0);
        const wantedIsOpen = concerns.some((concern) => concern.flag_ids.includes(wanted));
        return (
          <>
            <section aria-labelledby="picture-heading">
              <h3 id="picture-heading" class="visually-hidden">The picture</h3>
              <ul class="picture">
                {picture.map((sentence, index) => <li key={index}>{sentence}</li>)}
              </ul>
            </section>
            <section aria-labelledby="concerns-heading">
              <h3 id="concerns-heading" tabIndex={-1}>
                {concerns.length === 0 ? 'No open concerns'
                  : `${count(concerns.length, 'concern')}, from ${count(findings, 'finding')}`}
              </h3>
              <p role="status" class="notice">{notice}</p>
              <ul class="cards">
                {inOrder(concerns).map((concern) => (
                  <ConcernCard key={concern.key} familyId={familyId} concern={concern}
                               mayRespond={mayRespond} onChanged={onChanged} onAnswered={onAnswered}
                               said={settled?.key === concern.key ? settled.said ?? '' : ''}
                               startOpen={concern.flag_ids.includes(wanted)} />
                ))}
              </ul>
            </section>
            <ClosedFlags familyId={familyId} changes={changes}
                         wanted={wantedIsOpen ? null : wanted} />
          </>
        );
      }}
    </Loaded>
  );
}

/**
 * A concern's sentence without its title in front, as the card's heading says it already:
 * "Smell and air: worse than..." reads "Worse than...", and "Kitchen..., Smell and air
 * (eight areas): worse than..." reads "Eight areas: worse than...".
 */
function sentenceOf(concern) {
  const { title, sentence } = concern;
  if (!sentence.startsWith(title)) return sentence;
  const rest = sentence.slice(title.length);
  const counted = /^ \(([^()]+)\): /.exec(rest);
  const said = counted ? `${counted[1]}: ${rest.slice(counted[0].length)}`
    : rest.startsWith(': ') ? rest.slice(2) : null;
  return said ? said.charAt(0).toUpperCase() + said.slice(1) : sentence;
}

/** Immediate concerns first (the engine's order), then safe-sleep ones, then the rest. */
function inOrder(concerns) {
  const rank = (concern) => (concern.immediate ? 0 : concern.safe_sleep ? 1 : 2);
  return [...concerns].sort((first, second) => rank(first) - rank(second));
}

function ConcernCard({ familyId, concern, mayRespond, onChanged, onAnswered, said, startOpen }) {
  const id = headingOf(concern);
  const total = concern.flags.length;
  const answered = concern.flags.filter((flag) => flag.state !== 'open').length;
  const state = concern.state === 'open' && answered > 0
    ? `Open (${answered} of ${total} have a response)` : label(FLAG_STATES, concern.state);
  // Said in words on the card (unless its title says it), and drawn with a heavier
  // border: never by colour alone.
  const kind = concern.immediate ? 'Immediate' : concern.safe_sleep ? 'Safe sleep' : null;
  const mark = kind && !concern.title.startsWith(kind) ? kind : null;
  const border = kind ? 'concern-marked' : concern.severity === 'high' ? 'card-urgent' : '';
  return (
    <li class={`card concern ${border}`.trim()}>
      <article class="card-body" aria-labelledby={id}>
        {mark && <p class="concern-mark">{mark}</p>}
        <h4 id={id} class="flag-title" tabIndex={-1}>{concern.title}</h4>
        <p class="byline">
          {!concern.immediate && <>{label(SEVERITY, concern.severity)} · </>}
          {state} · {count(total, 'finding')}
        </p>
        <p class="concern-sentence">{sentenceOf(concern)}</p>
        {mayRespond && <p role="status" class="notice">{said}</p>}
        <Findings concern={concern} mayRespond={mayRespond} onChanged={onChanged}
                  startOpen={startOpen} />
        {mayRespond && (
          <RespondToConcern familyId={familyId} concern={concern} onAnswered={onAnswered} />
        )}
      </article>
    </li>
  );
}

/** The flags behind a concern, one tap away (kept on the page, so a response being typed
 * survives closing them). */
function Findings({ concern, mayRespond, onChanged, startOpen }) {
  const [open, setOpen] = useState(startOpen);
  const total = concern.flags.length;
  const what = total === 1 ? 'the finding' : `the ${total} findings`;
  return (
    <details class="disclosure" open={startOpen}
             onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        {open ? 'Hide' : 'Show'} {what}<span class="visually-hidden"> about {concern.title}</span>
      </summary>
      <ul class="cards findings">
        {concern.flags.map((flag) => (
          <FlagCard key={flag.id} flag={flag} mayRespond={mayRespond} onChanged={onChanged}
                    level={5} />
        ))}
      </ul>
    </details>
  );
}

/**
 * One response for the whole concern, recorded on every flag behind it (one tap away, like
 * its findings). Flags that already have a response keep theirs unless the concern is closed;
 * once all have one, what is left is to close it.
 */
function RespondToConcern({ familyId, concern, onAnswered }) {
  const form = useRef(null);
  const text = useRef(null);
  const total = concern.flags.length;
  const open = concern.flags.filter((flag) => flag.state === 'open').length;
  const closeOnly = concern.state === 'acknowledged';
  const send = (response, close) => families.respondToConcern(familyId,
    { flag_ids: concern.flag_ids, response, close });
  const onDone = (closed) => {
    form.current.open = false;
    const said = total === 1 ? 'its finding' : open === total ? `all ${total} findings`
      : `the ${count(open, 'finding')} that had none (the others keep theirs)`;
    onAnswered({
      key: concern.key, title: concern.title,
      said: closed ? 'Closed, with your response.' : `Response recorded on ${said}.`,
    });
  };
  const explain = (problem) => {
    if (problem.status !== 422 || !problem.fields?.flag_ids) return problem;
    onAnswered({ key: concern.key, title: concern.title, stale: true });
    return {
      message: 'This concern changed while you were writing: some of its findings are closed '
        + 'now. It has been loaded again as it stands. Your response was not recorded: check '
        + 'the findings, then send it again.',
    };
  };
  const hint = total === 1 ? null
    : closeOnly ? `Each of its ${total} findings closes with this reason.`
      : open === total ? `It is recorded on each of its ${total} findings.`
        : `It is recorded on the ${count(open, 'finding')} without a response; the others keep `
          + 'theirs, unless you close the concern.';
  const closeHint = concern.safe_sleep
    ? 'A safe-sleep concern never closes by itself: closing it here is how it ends.'
    : 'Its findings move to the closed flags. Left open, it closes by itself once visits no '
      + 'longer show it.';
  return (
    <details ref={form} class="disclosure respond-concern"
             onToggle={(event) => event.currentTarget.open && text.current?.focus()}>
      <summary>
        {closeOnly ? 'Close this concern' : 'Respond to this concern'}
        <span class="visually-hidden"> about {concern.title}</span>
      </summary>
      <ResponseForm send={send} onDone={onDone} explain={explain} closeOnly={closeOnly}
                    hint={hint} closeLabel="Close the concern as well" closeHint={closeHint}
                    submitLabel="Record the response" closingLabel="Record it and close the concern"
                    closeSubmitLabel="Close the concern" textRef={text} />
    </details>
  );
}

/** Closed flags, loaded only when asked for: the history behind the concerns. */
function ClosedFlags({ familyId, changes, wanted }) {
  const [open, setOpen] = useState(wanted !== null);
  return (
    <section aria-labelledby="closed-heading">
      <h3 id="closed-heading" class="visually-hidden">Closed flags</h3>
      <details class="disclosure" open={wanted !== null}
               onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>{open ? 'Hide the closed flags' : 'Show the closed flags'}</summary>
        {open && <ClosedList familyId={familyId} changes={changes} wanted={wanted} />}
      </details>
    </section>
  );
}

function ClosedList({ familyId, changes, wanted }) {
  const closed = useLoad(
    (signal) => families.flags(familyId, { state: 'closed' }, { signal }), [familyId, changes]);
  useShowFlag(wanted, Boolean(closed.data));
  return (
    <Loaded state={closed} what="Loading the closed flags">
      {(flags) => (flags.length === 0 ? <p>No closed flags.</p> : (
        <ul class="cards findings">
          {flags.map((flag) => <FlagCard key={flag.id} flag={flag} mayRespond={false} level={4} />)}
        </ul>
      ))}
    </Loaded>
  );
}

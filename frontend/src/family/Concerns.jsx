// The family's concerns: the picture in a few sentences, then one short card per concern
// (the engine groups a family's flags: one concern per domain and per family-wide matter,
// each immediate concern on its own and first). Each card opens onto the flags behind it,
// with their evidence and the core group's responses; closed flags are kept at the end.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { Loaded } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { FLAG_STATES, label, SEVERITY } from '../words.js';
import { FamilyFrame } from './FamilyFrame.jsx';
import { FlagCard, MAY_RESPOND } from './FlagCard.jsx';

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

function Concerns({ familyId, mayRespond }) {
  const answer = useLoad((signal) => get(`/families/${familyId}/concerns`, { signal }), [familyId]);
  const [changes, setChanges] = useState(0);
  const [wanted] = useState(flagInAddress);
  const onChanged = () => {
    answer.reload();
    setChanges((value) => value + 1);
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
              <h3 id="concerns-heading">
                {concerns.length === 0 ? 'No open concerns'
                  : `${count(concerns.length, 'concern')}, from ${count(findings, 'finding')}`}
              </h3>
              <ul class="cards">
                {inOrder(concerns).map((concern) => (
                  <ConcernCard key={concern.key} concern={concern} mayRespond={mayRespond}
                               onChanged={onChanged} startOpen={concern.flag_ids.includes(wanted)} />
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

function ConcernCard({ concern, mayRespond, onChanged, startOpen }) {
  const id = `concern-${concern.key.replace(/[^a-z0-9]+/gi, '-')}`;
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
        <h4 id={id} class="flag-title">{concern.title}</h4>
        <p class="byline">
          {!concern.immediate && <>{label(SEVERITY, concern.severity)} · </>}
          {state} · {count(total, 'finding')}
        </p>
        <p class="concern-sentence">{sentenceOf(concern)}</p>
        <Findings concern={concern} mayRespond={mayRespond} onChanged={onChanged}
                  startOpen={startOpen} />
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
    (signal) => get(`/families/${familyId}/flags?state=closed`, { signal }), [familyId, changes]);
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

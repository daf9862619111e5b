// One person, for an administrator: their work (role, profession, agency, manager), when
// they last signed in, and what can be done about their signing in: stop it, allow it
// again, send a new link to choose a password, reset their two-step sign-in.
import { useState } from 'preact/hooks';
import { people } from '../api.js';
import { ErrorMessage, Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { formatDateTime, label } from '../words.js';
import { HandOver } from './Invite.jsx';
import { FieldProblem, loadChoices, PersonFields, personBody } from './PersonFields.jsx';
import { lastSignIn, ROLES } from './words.js';

export function Person({ params, user }) {
  const state = useLoad(async (signal) => {
    const [person, choices] = await Promise.all([
      people.get(params.userId, { signal }), loadChoices(signal)]);
    return { person, choices };
  }, [params.userId]);
  const [person, setPerson] = useState(null);
  return (
    <section class="screen-narrow">
      <Loaded state={state} what="Loading">
        {(loaded) => {
          const shown = person?.id === loaded.person.id ? person : loaded.person;
          return <Details person={shown} choices={loaded.choices} me={user} onChanged={setPerson} />;
        }}
      </Loaded>
      <p><a class="button button-secondary button-wide" href="/admin/people">Back to people</a></p>
    </section>
  );
}

function Details({ person, choices, me, onChanged }) {
  return (
    <>
      <ScreenTitle>{person.name}</ScreenTitle>
      <p class="byline">{person.email}</p>
      <p class="figures">
        <span class={person.active ? 'figure' : 'figure figure-alert'}>
          {person.active ? 'Can sign in' : 'Stopped from signing in'}</span>
        <span class="figure">{lastSignIn(person.last_signed_in_at, formatDateTime)}</span>
        <span class="figure">{person.password_set ? 'Has chosen a password' : 'Has not set a password yet'}</span>
        <span class="figure">{person.second_factor_enrolled ? 'Two-step sign-in set up' : 'No two-step sign-in yet'}</span>
      </p>
      <Work key={person.id} person={person} choices={choices} me={me} onChanged={onChanged} />
      <SigningIn person={person} me={me} onChanged={onChanged} />
    </>
  );
}

function initial(person) {
  return { name: person.name, role: person.role, profession: person.profession,
    agency_id: String(person.agency.id), manager_id: person.manager_id ? String(person.manager_id) : '' };
}

function Work({ person, choices, me, onChanged }) {
  const [values, setValues] = useState(() => initial(person));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const change = (name, value) => {
    setSaved(false);
    setValues((previous) => ({ ...previous, [name]: value }));
  };
  const onSubmit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { name: values.name.trim(), ...personBody(values) };
      if (person.id === me.id) delete body.role; // nobody changes their own role
      const changed = await people.update(person.id, body);
      onChanged(changed);
      setSaved(true);
    } catch (problem) {
      setError(problem);
    }
    setBusy(false);
  };
  return (
    <form class="form" onSubmit={onSubmit} novalidate aria-labelledby="work-title">
      <h2 id="work-title">Their work</h2>
      <label class="field">
        <span class="field-label">Name</span>
        <input type="text" name="name" required maxLength={120} value={values.name}
               onInput={(event) => change('name', event.currentTarget.value)} />
        <FieldProblem error={error} name="name" />
      </label>
      {person.id === me.id
        ? <p>Your role: {label(ROLES, person.role)}. Another administrator can change it.</p>
        : null}
      <PersonFields values={values} onChange={change} choices={choices} error={error}
                    selfId={person.id} lockRole={person.id === me.id} />
      <ErrorMessage error={error} />
      {saved && <p class="message" role="status">Saved.</p>}
      <button type="submit" class="button button-wide" disabled={busy}>
        {busy ? 'Saving…' : 'Save changes'}
      </button>
    </form>
  );
}

function SigningIn({ person, me, onChanged }) {
  const [asking, setAsking] = useState(null); // 'disable' or 'reset': waiting for "yes"
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [news, setNews] = useState(null);
  const act = async (work) => {
    setBusy(true);
    setError(null);
    setNews(null);
    try {
      await work();
      setAsking(null);
    } catch (problem) {
      setError(problem);
    }
    setBusy(false);
  };
  const setActive = (active) => act(async () => {
    onChanged(await people.update(person.id, { active }));
    setNews(active ? `${person.name} can sign in again with their password.`
      : `${person.name} cannot sign in any more, and has been signed out everywhere.`);
  });
  const sendLink = () => act(async () => {
    const sent = await people.sendPasswordLink(person.id);
    setNews(sent.emailed
      ? `We have emailed ${person.email} a link to choose a password. It works once, until ${formatDateTime(sent.expires_at)}.`
      : { link: sent.link, expiresAt: sent.expires_at });
  });
  const resetTwoStep = () => act(async () => {
    await people.resetSecondFactor(person.id);
    onChanged(await people.get(person.id));
    setNews(`${person.name} has been signed out and will set up two-step sign-in again when they next sign in.`);
  });
  const self = person.id === me.id;
  return (
    <section aria-labelledby="signing-in-title">
      <h2 id="signing-in-title">Signing in</h2>
      {news && (typeof news === 'string'
        ? <p class="message" role="status">{news}</p>
        : <HandOver person={person} link={news.link} expiresAt={news.expiresAt} />)}
      <ErrorMessage error={error} />
      {asking === 'disable' && (
        <div class="message message-error">
          <p>{person.name} will be signed out at once on every phone and computer, and will
            not be able to sign in. Nothing they recorded is lost.</p>
          <div class="actions">
            <button type="button" class="button button-danger" disabled={busy}
                    onClick={() => setActive(false)}>Yes, stop {person.name} signing in</button>
            <button type="button" class="button button-secondary" onClick={() => setAsking(null)}>Cancel</button>
          </div>
        </div>
      )}
      {asking === 'reset' && (
        <div class="message message-error">
          <p>Only do this when you are sure it is {person.name} asking (for example, they lost
            their phone). They will be signed out and set up two-step sign-in again.</p>
          <div class="actions">
            <button type="button" class="button button-danger" disabled={busy}
                    onClick={resetTwoStep}>Yes, reset two-step sign-in</button>
            <button type="button" class="button button-secondary" onClick={() => setAsking(null)}>Cancel</button>
          </div>
        </div>
      )}
      {!asking && (
        <div class="actions actions-stacked">
          {person.active && !self && (
            <button type="button" class="button button-secondary" onClick={() => setAsking('disable')}>
              Stop {person.name} signing in
            </button>
          )}
          {!person.active && (
            <button type="button" class="button" disabled={busy} onClick={() => setActive(true)}>
              Let {person.name} sign in again
            </button>
          )}
          {person.active && (
            <button type="button" class="button button-secondary" disabled={busy} onClick={sendLink}>
              Send a new link to choose a password
            </button>
          )}
          {person.second_factor_enrolled && (
            <button type="button" class="button button-secondary" onClick={() => setAsking('reset')}>
              Reset two-step sign-in
            </button>
          )}
        </div>
      )}
      {self && <p>You cannot stop yourself signing in: another administrator can.</p>}
    </section>
  );
}

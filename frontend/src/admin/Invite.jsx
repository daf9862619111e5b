// Invite a person: their name, work email and work. They get a one-time link to choose
// their password: emailed, or (where Homelog cannot send email) shown here to hand over.
import { useState } from 'preact/hooks';
import { people } from '../api.js';
import { ErrorMessage, Loaded, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import { formatDateTime } from '../words.js';
import { FieldProblem, PersonFields, personBody, useChoices } from './PersonFields.jsx';

const EMPTY = { name: '', email: '', role: 'practitioner', profession: '', agency_id: '', manager_id: '' };

export function Invite() {
  const choices = useChoices();
  const [values, setValues] = useState(EMPTY);
  const [invited, setInvited] = useState(null);
  const change = (name, value) => setValues((previous) => ({ ...previous, [name]: value }));

  const { onSubmit, busy, error } = useSubmit(async () => {
    setInvited(await people.invite({
      name: values.name.trim(), email: values.email.trim(), ...personBody(values) }));
  });
  if (invited) {
    return <Invited person={invited} again={() => { setInvited(null); setValues(EMPTY); }} />;
  }
  return (
    <section class="screen-narrow">
      <ScreenTitle>Invite a person</ScreenTitle>
      <p>They get a link to choose their own password. Nobody else ever sees it.</p>
      <Loaded state={choices} what="Loading agencies">
        {(loaded) => (
          <form class="form" onSubmit={onSubmit} novalidate>
            <label class="field">
              <span class="field-label">Name</span>
              <input type="text" name="name" autocomplete="off" required maxLength={120}
                     value={values.name} onInput={(event) => change('name', event.currentTarget.value)} />
              <FieldProblem error={error} name="name" />
            </label>
            <label class="field">
              <span class="field-label">Work email</span>
              <input type="email" name="email" autocomplete="off" inputmode="email" required
                     maxLength={254} value={values.email}
                     onInput={(event) => change('email', event.currentTarget.value)} />
              <FieldProblem error={error} name="email" />
            </label>
            <PersonFields values={values} onChange={change} choices={loaded} error={error} />
            <ErrorMessage error={error} />
            <button type="submit" class="button button-wide" disabled={busy}>
              {busy ? 'Inviting…' : 'Invite'}
            </button>
          </form>
        )}
      </Loaded>
      <p><a class="button button-secondary button-wide" href="/admin/people">Back to people</a></p>
    </section>
  );
}

function Invited({ person, again }) {
  return (
    <section class="screen-narrow">
      <ScreenTitle>{person.name} is invited</ScreenTitle>
      {person.password_link_emailed
        ? (
          <p class="message" role="status">We have emailed {person.email} a link to choose a
            password. It works once, until {formatDateTime(person.password_link_expires_at)}.</p>
        )
        : <HandOver person={person} link={person.password_link}
                    expiresAt={person.password_link_expires_at} />}
      <div class="actions actions-stacked">
        <a class="button" href={`/admin/people/${person.id}`}>See {person.name}'s details</a>
        <button type="button" class="button button-secondary" onClick={again}>Invite another person</button>
      </div>
    </section>
  );
}

/** A link to hand over in person, where Homelog cannot send email. */
export function HandOver({ person, link, expiresAt }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard here (plain HTTP): the link can still be selected
    }
  };
  return (
    <div class="message" role="status">
      <p>Homelog cannot send email here. Give {person.name} this link yourself, in a way only
        they will see (not a shared inbox). It is not a password: it lets them choose one.
        It works once, until {formatDateTime(expiresAt)}.</p>
      <label class="field">
        <span class="field-label">Link to choose a password</span>
        <textarea readOnly rows={5} class="hand-over-link" value={link}
                  onFocus={(event) => event.currentTarget.select()} />
      </label>
      <div class="actions">
        <button type="button" class="button button-secondary" onClick={copy}>
          {copied ? 'Copied' : 'Copy the link'}
        </button>
      </div>
    </div>
  );
}

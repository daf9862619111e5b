// Break-glass: a manager opens a family whose core group they are not in, saying why.
// The access lasts a set time, everything opened is recorded, and the lead is told at once.
import { useState } from 'preact/hooks';
import { families } from '../api.js';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import { navigate } from '../router.js';
import { formatDate, formatDateTime } from '../words.js';

const REASON_MIN = 20;

// A reference to fill in, handed over in memory (an escalation in the inbox), never in
// the address: a family's reference stays out of URLs and server logs.
let prefilled = '';

/** Opens the break-glass screen with the family's reference already filled in. */
export function openBreakGlass(reference) {
  prefilled = reference;
  navigate('/break-glass');
}

export function BreakGlass({ user }) {
  const [reference, setReference] = useState(() => {
    const given = prefilled;
    prefilled = '';
    return given;
  });
  const [reason, setReason] = useState('');
  const [grant, setGrant] = useState(null);
  const { onSubmit, busy, error } = useSubmit(async () => {
    const given = await families.breakGlass({ reference: reference.trim(), reason });
    if (given.families.length > 1) setGrant(given);
    else navigate(`/families/${given.family_id}`);
  });

  if (user.role !== 'manager') {
    return (
      <>
        <ScreenTitle>Open a family you are not in</ScreenTitle>
        <p>Only a manager can open a family outside their core groups. Ask the family's lead
          social worker to add you to the core group.</p>
      </>
    );
  }

  const short = reason.trim().length < REASON_MIN;
  if (grant) return <SeveralFamilies grant={grant} />;

  return (
    <>
      <ScreenTitle>Open a family you are not in</ScreenTitle>
      <div class="message">
        <p>Use this only when a child's safety needs it now: covering for an absent colleague,
          or answering an escalation.</p>
        <ul>
          <li>The family's lead social worker is told at once, with your reason.</li>
          <li>Everything you open is recorded and shows in the family's “who has viewed”.</li>
          <li>Your access ends after a few hours (4 unless your partnership set another time).</li>
        </ul>
      </div>
      <form class="form" onSubmit={onSubmit}>
        <label class="field">
          <span class="field-label">The family's reference</span>
          <input type="text" required maxLength={40} autocomplete="off" value={reference}
                 onInput={(event) => setReference(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Why you need to open it</span>
          <span class="field-hint" id="reason-hint">
            At least {REASON_MIN} characters. Say whose work you are covering and what has happened.
            The lead social worker will read this.
          </span>
          <textarea required maxLength={1000} value={reason} aria-describedby="reason-hint"
                    onInput={(event) => setReason(event.currentTarget.value)} />
        </label>
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" class="button" disabled={busy || !reference.trim() || short}>
            {busy ? 'Opening…' : 'Open the family and tell the lead'}
          </button>
          <a class="button button-secondary" href="/">Cancel</a>
        </div>
      </form>
    </>
  );
}

// More than one family record carries the reference: each is open now, the manager chooses.
function SeveralFamilies({ grant }) {
  return (
    <>
      <ScreenTitle>Several families have this reference</ScreenTitle>
      <p>{grant.families.length} family records carry the reference {grant.reference}. You can
        open each of them until {formatDateTime(grant.until)}, and each lead has been told.</p>
      <ul class="cards">
        {grant.families.map((family) => (
          <li class="card" key={family.id}>
            <a class="button button-secondary" href={`/families/${family.id}`}>
              Family {grant.reference}, opened on {formatDate(family.opened_on)}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The banner on a family's screens while break-glass access is in use. */
export function BreakGlassBanner({ until }) {
  return (
    <p class="message message-error break-glass-banner" role="status">
      <strong>Break-glass access</strong>: you are not in this family's core group. Everything
      you open is recorded and the lead has been told. Your access ends at {formatDateTime(until)}.
    </p>
  );
}

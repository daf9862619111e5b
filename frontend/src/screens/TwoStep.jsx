// Setting up two-step sign-in: scan a QR code with an authenticator app (or type its key),
// confirm with a first code, then keep the ten recovery codes, shown only this once.
// Where every sign-in needs it, someone who has not set it up sees only this (EnrolFirst).
import { useEffect, useRef, useState } from 'preact/hooks';
import './two-step.css';
import { session } from '../api.js';
import { ErrorMessage, Loading, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import { navigate } from '../router.js';
import { addRoute } from '../routes.js';
import { secondFactorSetUp, signOut, useSession } from '../session.js';

const ENROLLED = 'second_factor_enrolled';

/** The steps, from a new key to the recovery codes; `onDone` once the codes are kept. */
export function SetUpTwoStep({ intro, onDone }) {
  const [enrolment, setEnrolment] = useState(null);
  const [problem, setProblem] = useState(null);
  const [codes, setCodes] = useState(null);
  const start = () => {
    setProblem(null);
    session.startSecondFactor().then(setEnrolment, setProblem);
  };
  useEffect(start, []);

  return (
    <>
      <ScreenTitle>Set up two-step sign-in</ScreenTitle>
      {codes && <RecoveryCodes codes={codes} onDone={onDone} />}
      {!codes && (
        <>
          <p>{intro}</p>
          {problem?.code === ENROLLED && (
            <p class="message" role="status">Two-step sign-in is already set up for you.</p>
          )}
          {problem && problem.code !== ENROLLED && <ErrorMessage error={problem} retry={start} />}
          {!problem && !enrolment && <Loading what="Making your key" />}
          {enrolment && <ScanAndConfirm enrolment={enrolment} onConfirmed={setCodes} />}
        </>
      )}
    </>
  );
}

function grouped(secret) {
  return secret.match(/.{1,4}/g).join(' ');
}

function ScanAndConfirm({ enrolment, onConfirmed }) {
  const [code, setCode] = useState('');
  const { onSubmit, busy, error } = useSubmit(async () => {
    const answer = await session.confirmSecondFactor(code.trim());
    onConfirmed(answer.recovery_codes);
  });
  return (
    <ol class="steps">
      <li>
        <p>On your work phone, open your authenticator app (for example Microsoft
          Authenticator or Google Authenticator), choose to add an account, and scan this
          QR code.</p>
        <img class="qr" src={enrolment.qr_svg} width="232" height="232"
             alt="QR code for your authenticator app" />
        <p>Cannot scan it? Choose to enter a key instead, and type this key:</p>
        <code class="secret-key" aria-label={`Key: ${enrolment.secret.split('').join(' ')}`}>
          {grouped(enrolment.secret)}
        </code>
      </li>
      <li>
        <form onSubmit={onSubmit} class="form" novalidate>
          <label class="field">
            <span class="field-label">Code from your authenticator app</span>
            <span class="field-hint">The app now shows a 6-digit code for Homelog. Enter it
              to check everything works.</span>
            <input type="text" name="code" inputmode="numeric" pattern="[0-9]*"
                   autocomplete="one-time-code" required maxLength={7} class="code-input"
                   value={code} onInput={(event) => setCode(event.currentTarget.value)} />
          </label>
          <ErrorMessage error={error} />
          <button type="submit" class="button button-wide" disabled={busy}>
            {busy ? 'Checking…' : 'Confirm'}
          </button>
        </form>
      </li>
    </ol>
  );
}

function RecoveryCodes({ codes, onDone }) {
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="recovery-codes-title">
      <p class="message" role="status">Two-step sign-in is set up.</p>
      <h2 id="recovery-codes-title" ref={heading} tabIndex={-1}>Your recovery codes</h2>
      <p>If you lose your phone, each of these codes signs you in once instead of a code from
        the app. Write them down or print them now and keep them somewhere safe, away from
        your phone. <strong>They are shown only now.</strong></p>
      <ul class="recovery-codes">
        {codes.map((code) => <li key={code}>{code}</li>)}
      </ul>
      <button type="button" class="button button-wide" onClick={onDone}>
        I have kept my recovery codes
      </button>
    </section>
  );
}

/** All a session that must set up two-step sign-in first can do: that, or sign out. */
export function EnrolFirst({ user }) {
  const [problem, setProblem] = useState(null);
  const onSignOut = async () => {
    try {
      await signOut();
    } catch (error) {
      setProblem(error.message);
    }
  };
  return (
    <div class="frame">
      <header class="top-bar">
        <div class="top-bar-row">
          <p class="who">
            <span class="who-name">{user.name}</span>
            <span class="who-agency">{user.agency?.name}</span>
          </p>
          <button type="button" class="button button-quiet" onClick={onSignOut}>Sign out</button>
        </div>
        {problem && <p class="banner banner-error" role="alert">{problem}</p>}
      </header>
      <main id="main" class="screen screen-narrow">
        <SetUpTwoStep
          intro="Before you use Homelog, protect the families' records with two-step sign-in: each time you sign in, you will also enter a code from an app on your phone."
          onDone={secondFactorSetUp} />
      </main>
    </div>
  );
}

/** A way in to setting it up, for someone who has not (where it is not yet required). */
export function TwoStepPrompt() {
  const factor = useSession().secondFactor;
  if (!factor || factor.enrolled || window.location.pathname === '/two-step') return null;
  return (
    <p class="banner banner-two-step">
      <a href="/two-step">Set up two-step sign-in</a>
    </p>
  );
}

function TwoStepScreen() {
  const done = () => {
    secondFactorSetUp();
    navigate('/');
  };
  return (
    <SetUpTwoStep
      intro="Protect the families' records: each time you sign in, you will also enter a code from an app on your phone."
      onDone={done} />
  );
}

addRoute({ path: '/two-step', screen: TwoStepScreen });

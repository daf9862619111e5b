// Sign in with the email and password the partnership gave you, then, where two-step sign-in
// is set up, the code from your authenticator app (or one of your recovery codes).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { SECOND_FACTOR_REQUIRED, signIn } from '../session.js';
import { ForgotPassword } from './Password.jsx';

export function SignIn({ notice }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [askCode, setAskCode] = useState(false);
  const [forgot, setForgot] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const attempt = async (code) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password, code);
    } catch (problem) {
      if (problem.code === SECOND_FACTOR_REQUIRED) setAskCode(true);
      else setError(problem);
      setBusy(false);
    }
  };
  const startAgain = () => {
    setAskCode(false);
    setPassword('');
    setError(null);
  };

  if (forgot) {
    return (
      <main class="screen screen-narrow sign-in">
        <p class="brand" aria-hidden="true">Homelog</p>
        <ScreenTitle>Forgot your password?</ScreenTitle>
        <ForgotPassword onBack={() => setForgot(false)} />
      </main>
    );
  }
  return (
    <main class="screen screen-narrow sign-in">
      <p class="brand" aria-hidden="true">Homelog</p>
      <ScreenTitle>Sign in</ScreenTitle>
      {notice && !askCode && <p class="message" role="status">{notice}</p>}
      {askCode
        ? <CodeStep email={email} busy={busy} error={error} onCode={attempt} onBack={startAgain} />
        : (
          <form onSubmit={(event) => { event.preventDefault(); attempt(null); }} class="form"
                novalidate>
            <label class="field">
              <span class="field-label">Work email</span>
              <input type="email" name="email" autocomplete="username" inputmode="email"
                     required value={email}
                     onInput={(event) => setEmail(event.currentTarget.value)} />
            </label>
            <label class="field">
              <span class="field-label">Password</span>
              <input type="password" name="password" autocomplete="current-password" required
                     value={password}
                     onInput={(event) => setPassword(event.currentTarget.value)} />
            </label>
            <ErrorMessage error={error} />
            <button type="submit" class="button button-wide" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <button type="button" class="button button-secondary button-wide"
                    onClick={() => setForgot(true)}>
              Forgot your password?
            </button>
          </form>
        )}
    </main>
  );
}

/** The second step: the six-digit code from the app, or a recovery code instead. */
function CodeStep({ email, busy, error, onCode, onBack }) {
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const field = useRef(null);
  useEffect(() => field.current?.focus(), [recovery]);
  const onSubmit = (event) => {
    event.preventDefault();
    onCode(code.trim());
  };
  const switchKind = () => {
    setRecovery(!recovery);
    setCode('');
  };
  return (
    <form onSubmit={onSubmit} class="form" novalidate>
      <p class="message" role="status">
        Two-step sign-in is on for {email.trim()}.
        {recovery ? ' Enter one of your recovery codes.' : ' Open your authenticator app and enter the code it shows for Homelog.'}
      </p>
      {recovery
        ? (
          <label class="field" key="recovery">
            <span class="field-label">Recovery code</span>
            <span class="field-hint">Each recovery code works once, for example abcd-efgh-jkmn.</span>
            <input ref={field} type="text" name="recovery-code" autocomplete="off"
                   autocapitalize="none" spellcheck={false} required maxLength={16}
                   value={code} onInput={(event) => setCode(event.currentTarget.value)} />
          </label>
        )
        : (
          <label class="field" key="code">
            <span class="field-label">Code from your authenticator app</span>
            <span class="field-hint">6 digits. A new code shows every 30 seconds.</span>
            <input ref={field} type="text" name="code" inputmode="numeric" pattern="[0-9]*"
                   autocomplete="one-time-code" required maxLength={7} class="code-input"
                   value={code} onInput={(event) => setCode(event.currentTarget.value)} />
          </label>
        )}
      <ErrorMessage error={error} />
      <button type="submit" class="button button-wide" disabled={busy}>
        {busy ? 'Checking…' : 'Sign in'}
      </button>
      <div class="actions actions-pair">
        <button type="button" class="button button-secondary" onClick={switchKind}>
          {recovery ? 'Use the app instead' : 'Use a recovery code'}
        </button>
        <button type="button" class="button button-secondary" onClick={onBack}>Start again</button>
      </div>
    </form>
  );
}

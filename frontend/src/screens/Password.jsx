// Passwords: change your own (signed in), ask for a link when you have forgotten it, and set
// one with a link from an email (or handed over by an administrator for a new account).
import { useState } from 'preact/hooks';
import { passwordReset, session } from '../api.js';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';

const ADVICE = 'At least 8 characters. A few unrelated words make a strong password that is easy to remember.';

function PasswordField({ label, name, autocomplete, value, onValue, hint }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {hint && <span class="field-hint">{hint}</span>}
      <input type="password" name={name} autocomplete={autocomplete} required
             value={value} onInput={(event) => onValue(event.currentTarget.value)} />
    </label>
  );
}

/** Change your own password: the current one, then the new one. */
export function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const { onSubmit, busy, error } = useSubmit(async () => {
    await session.changePassword({ current_password: current, new_password: next });
    setDone(true);
    setCurrent('');
    setNext('');
  });
  return (
    <section class="screen-narrow">
      <ScreenTitle>Change your password</ScreenTitle>
      {done
        ? (
          <p class="message" role="status">
            Your password has changed. You are still signed in here; any other phone or
            computer signed in as you has been signed out.
          </p>
        )
        : (
          <form class="form" onSubmit={onSubmit} novalidate>
            <PasswordField label="Current password" name="current-password"
                           autocomplete="current-password" value={current} onValue={setCurrent} />
            <PasswordField label="New password" name="new-password" autocomplete="new-password"
                           hint={ADVICE} value={next} onValue={setNext} />
            <ErrorMessage error={error} />
            <button type="submit" class="button button-wide" disabled={busy}>
              {busy ? 'Changing…' : 'Change password'}
            </button>
          </form>
        )}
      <p><a href="/" class="button button-secondary button-wide">Back to families</a></p>
    </section>
  );
}

/** Forgotten password: ask for a link by email. The answer is the same for every email. */
export function ForgotPassword({ onBack }) {
  const [email, setEmail] = useState('');
  const [answer, setAnswer] = useState(null);
  const { onSubmit, busy, error } = useSubmit(async () => {
    setAnswer(await passwordReset.ask(email.trim()));
  });
  return (
    <div class="form">
      {answer
        ? <p class="message" role="status">{answer.message}</p>
        : (
          <form class="form" onSubmit={onSubmit} novalidate>
            <p>Enter your work email. If it has a Homelog account, we will email it a link to
              set a new password.</p>
            <label class="field">
              <span class="field-label">Work email</span>
              <input type="email" name="reset-email" autocomplete="username" inputmode="email"
                     required value={email}
                     onInput={(event) => setEmail(event.currentTarget.value)} />
            </label>
            <ErrorMessage error={error} />
            <button type="submit" class="button button-wide" disabled={busy}>
              {busy ? 'Sending…' : 'Email me a link'}
            </button>
          </form>
        )}
      <button type="button" class="button button-secondary button-wide" onClick={onBack}>
        Back to sign in
      </button>
    </div>
  );
}

function tokenFromAddress() {
  const match = /(?:^#|&)token=([\w-]+)/.exec(window.location.hash);
  return match ? match[1] : '';
}

/** Set a password with the link from an email (its token is after # in the address). */
export function SetPassword() {
  const [token] = useState(tokenFromAddress);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { onSubmit, busy, error } = useSubmit(async () => {
    await passwordReset.complete(token, password);
    // The token has done its work: keep it out of the address bar and history.
    window.history.replaceState(null, '', '/set-password');
    setDone(true);
  });
  return (
    <main class="screen screen-narrow sign-in">
      <p class="brand" aria-hidden="true">Homelog</p>
      <ScreenTitle>Set your password</ScreenTitle>
      {done && (
        <>
          <p class="message" role="status">Your password is set. Sign in with it now.</p>
          <a href="/" class="button button-wide" onClick={() => window.location.assign('/')}>
            Go to sign in
          </a>
        </>
      )}
      {!done && !token && (
        <p class="message message-error" role="alert">
          This link is not complete. Open the whole link from your email, or ask for a new one
          from the sign-in screen.
        </p>
      )}
      {!done && token && (
        <form class="form" onSubmit={onSubmit} novalidate>
          <PasswordField label="New password" name="new-password" autocomplete="new-password"
                         hint={ADVICE} value={password} onValue={setPassword} />
          <ErrorMessage error={error} />
          <button type="submit" class="button button-wide" disabled={busy}>
            {busy ? 'Saving…' : 'Set password'}
          </button>
        </form>
      )}
    </main>
  );
}

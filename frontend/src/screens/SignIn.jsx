// Sign in with the email and password the partnership gave you.
import { useState } from 'preact/hooks';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { signIn } from '../session.js';

export function SignIn({ notice }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (problem) {
      setError(problem);
      setBusy(false);
    }
  };

  return (
    <main class="screen screen-narrow sign-in">
      <p class="brand" aria-hidden="true">Homelog</p>
      <ScreenTitle>Sign in</ScreenTitle>
      {notice && <p class="message" role="status">{notice}</p>}
      <form onSubmit={onSubmit} class="form" novalidate>
        <label class="field">
          <span class="field-label">Work email</span>
          <input type="email" name="email" autocomplete="username" inputmode="email"
                 required value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Password</span>
          <input type="password" name="password" autocomplete="current-password" required
                 value={password} onInput={(event) => setPassword(event.currentTarget.value)} />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" class="button button-wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

// The app's frame: who is signed in, the screen for the address, the bottom bar, and the
// "new version ready" notice.
import { useState } from 'preact/hooks';
import { ErrorMessage, ScreenTitle } from './components/common.jsx';
import { match, usePath } from './router.js';
import { allowedFor, navItems, routes } from './routes.js';
import { SetPassword } from './screens/Password.jsx';
import { SignIn } from './screens/SignIn.jsx';
import { EnrolFirst, TwoStepPrompt } from './screens/TwoStep.jsx';
import { loadSession, signOut, useSession } from './session.js';
import { useSettings } from './settings.js';
import { applyUpdate, useUpdateReady } from './updates.js';

export function App() {
  const session = useSession();
  const path = usePath();
  // A link to set a password works signed in or not (setting it signs everyone out).
  if (path === '/set-password') return <SetPassword />;
  if (session.status === 'loading') return <p class="loading" role="status">Opening Homelog…</p>;
  if (!session.user) {
    if (session.status === 'offline') return <Offline />;
    return <SignIn notice={session.notice} />;
  }
  if (session.status === 'enrolling') return <EnrolFirst user={session.user} />;
  return <Frame session={session} path={path} />;
}

/**
 * The signed-in app, once the partnership's settings are read (its scale, limits and time
 * zone: every screen shows times and scores by them).
 */
function Frame({ session, path }) {
  const { settings, error, retry } = useSettings();
  if (!settings) {
    if (!error) return <p class="loading" role="status">Opening Homelog…</p>;
    return (
      <main class="screen screen-narrow">
        <h1 class="screen-title">Homelog could not open</h1>
        <ErrorMessage error={error.offline ? { message: 'Homelog needs signal once on this '
          + 'phone to read your partnership’s settings. Try again when you have signal.' } : error}
                      retry={retry} />
      </main>
    );
  }
  const { route, params } = match(routes, path);
  // A screen outside the user's role is not shown at all (its entry is hidden too).
  const Screen = allowedFor(route, session.user) ? route.screen : NotAvailable;
  return (
    <div class="frame">
      <TopBar user={session.user} offline={session.status === 'offline'} />
      <UpdateNotice />
      <TwoStepPrompt />
      <main id="main" class="screen">
        <Screen key={path} params={params} user={session.user} />
      </main>
      <BottomBar current={route.nav} user={session.user} />
    </div>
  );
}

function TopBar({ user, offline }) {
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const onSignOut = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await signOut();
    } catch (error) {
      // A refusal (unsent visits) or the server unreachable: say so, stay signed in.
      setProblem(error.message);
      setBusy(false);
    }
  };
  return (
    <header class="top-bar">
      <div class="top-bar-row">
        <p class="who">
          <span class="who-name">{user.name}</span>
          <span class="who-agency">{user.agency?.name}</span>
        </p>
        <a href="/account/password" class="button button-quiet">Password</a>
        <button type="button" class="button button-quiet" onClick={onSignOut} disabled={busy}>
          Sign out
        </button>
      </div>
      {offline && <p class="banner banner-offline" role="status">No signal: showing what this phone holds.</p>}
      {problem && <p class="banner banner-error" role="alert">{problem}</p>}
    </header>
  );
}

function UpdateNotice() {
  const ready = useUpdateReady();
  const [problem, setProblem] = useState(null);
  if (!ready) return null;
  const onUpdate = async () => setProblem(await applyUpdate());
  return (
    <div class="banner banner-update" role="status">
      <p>A new version of Homelog is ready.</p>
      <button type="button" class="button button-secondary" onClick={onUpdate}>Update now</button>
      {problem && <p role="alert">{problem}</p>}
    </div>
  );
}

function BottomBar({ current, user }) {
  return (
    <nav class="bottom-bar" aria-label="Main">
      {navItems.filter((item) => allowedFor(item, user)).map((item) => (
        <a key={item.key} href={item.href} class="bottom-bar-link"
           aria-current={item.key === current ? 'page' : undefined}>
          {item.label}{item.badge ? <item.badge /> : null}
        </a>
      ))}
    </nav>
  );
}

function NotAvailable() {
  return (
    <>
      <ScreenTitle>Not available to you</ScreenTitle>
      <p>This screen is not available to you in your role. If you think you need it, ask your
        administrator.</p>
      <p><a href="/" class="button button-secondary">Back to families</a></p>
    </>
  );
}

function Offline() {
  return (
    <main class="screen screen-narrow">
      <h1 class="screen-title">No signal</h1>
      <p>Homelog cannot reach the server. Try again when you have signal.</p>
      <button type="button" class="button" onClick={loadSession}>Try again</button>
    </main>
  );
}

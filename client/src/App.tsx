import { Navigate, Route, Router, type RouteSectionProps } from '@solidjs/router';
import { Show, type JSX } from 'solid-js';
import { LoginPage } from './auth/LoginPage';
import { RegisterPage } from './auth/RegisterPage';
import { ResetPage } from './auth/ResetPage';
import { session, sessionKnown } from './auth/session';
import { MainPage } from './layout/MainPage';
import { JoinPage } from './invites/JoinPage';
import { rememberInvite } from './invites/pendingInvite';

/** Signed-in screens; without a session, to the sign-in form. */
function SignedIn() {
  return (
    <Show when={sessionKnown()}>
      <Show when={session()} keyed fallback={<Navigate href="/login" />}>
        {(s) => <MainPage session={s} />}
      </Show>
    </Show>
  );
}

/** Sign-in and registration; a live session goes straight to the chats (an ended one may sign in again). */
function SignedOut(props: { children: JSX.Element }) {
  const active = () => {
    const s = session();
    return s !== null && !s.replicas.sessionEnded();
  };
  return (
    <Show when={!active()} fallback={<Navigate href="/" />}>
      {props.children}
    </Show>
  );
}

/** An invite link: signed in, what it leads to; signed out, the sign-in form first, then back here. */
function SignedInJoin(props: RouteSectionProps) {
  return (
    <Show when={sessionKnown()}>
      <Show
        when={session()}
        fallback={(() => {
          rememberInvite(props.params.token ?? '');
          return <Navigate href="/login" />;
        })()}
      >
        <JoinPage />
      </Show>
    </Show>
  );
}

function Shell(props: RouteSectionProps) {
  return <>{props.children}</>;
}

export function App() {
  return (
    <Router root={Shell}>
      <Route
        path="/login"
        component={() => (
          <SignedOut>
            <LoginPage />
          </SignedOut>
        )}
      />
      <Route
        path="/register"
        component={() => (
          <SignedOut>
            <RegisterPage />
          </SignedOut>
        )}
      />
      <Route path="/reset" component={ResetPage} />
      <Route path={['/', '/c/:roomId']} component={SignedIn} />
      <Route path="/join/:token" component={SignedInJoin} />
      <Route path="*" component={() => <Navigate href="/" />} />
    </Router>
  );
}

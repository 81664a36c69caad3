import { A, useNavigate } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { loginBody, type AuthResponse } from '#schema/api/auth';
import { apiRequest } from '../api/apiRequest';
import { AuthCard } from './AuthCard';
import { createFormAction } from './createFormAction';
import { FormSubmit } from './FormSubmit';
import { FormField } from './FormField';
import { signedIn } from './session';
import { pathAfterSignIn } from '../invites/pendingInvite';

export function LoginPage() {
  const navigate = useNavigate();
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  const action = createFormAction(loginBody, async (body) => {
    await signedIn(await apiRequest<AuthResponse>('POST', '/auth/login', body));
    navigate(pathAfterSignIn(), { replace: true });
  });

  return (
    <AuthCard
      title="Sign in"
      subtitle="Your chats, on this device and everywhere else."
      footer={
        <>
          New to Jeco? <A href="/register">Create an account</A>
        </>
      }
    >
      <form onSubmit={(e) => action.submit({ username: username(), password: password() }, e)} novalidate>
        <FormField label="Username" name="username" value={username()} onInput={setUsername} autocomplete="username" autofocus error={action.fieldErrors().username} />
        <FormField label="Password" name="password" type="password" value={password()} onInput={setPassword} autocomplete="current-password" error={action.fieldErrors().password} />
        <FormSubmit error={action.error()} busy={action.busy()} label="Sign in" busyLabel="Signing in…" />
        <A class="auth-link" href="/reset">
          Forgot your password?
        </A>
      </form>
    </AuthCard>
  );
}

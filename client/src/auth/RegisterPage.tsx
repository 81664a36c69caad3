import { A, useNavigate } from '@solidjs/router';
import { createSignal } from 'solid-js';
import { registerBody, type AuthResponse } from '#schema/api/auth';
import { apiRequest } from '../api/apiRequest';
import { AuthCard } from './AuthCard';
import { createFormAction } from './createFormAction';
import { FormSubmit } from './FormSubmit';
import { FormField } from './FormField';
import { signedIn } from './session';
import { pathAfterSignIn } from '../invites/pendingInvite';

/** Optional fields left blank are not sent, rather than sent empty and refused. */
function optional(value: string): string | undefined {
  return value.trim() === '' ? undefined : value;
}

export function RegisterPage() {
  const navigate = useNavigate();
  const [username, setUsername] = createSignal('');
  const [displayName, setDisplayName] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const action = createFormAction(registerBody, async (body) => {
    await signedIn(await apiRequest<AuthResponse>('POST', '/auth/register', body));
    navigate(pathAfterSignIn(), { replace: true });
  });
  const values = () => ({ username: username(), password: password(), displayName: optional(displayName()), email: optional(email()) });

  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account? <A href="/login">Sign in</A>
        </>
      }
    >
      <form onSubmit={(e) => action.submit(values(), e)} novalidate>
        <FormField
          label="Username"
          name="username"
          value={username()}
          onInput={setUsername}
          autocomplete="username"
          autofocus
          hint="3–32 letters, digits, _ or ."
          error={action.fieldErrors().username}
        />
        <FormField
          label="Display name"
          name="displayName"
          value={displayName()}
          onInput={setDisplayName}
          autocomplete="name"
          hint="How others see you. Optional."
          error={action.fieldErrors().displayName}
        />
        <FormField
          label="Email"
          name="email"
          type="email"
          value={email()}
          onInput={setEmail}
          autocomplete="email"
          hint="Only used to reset your password. Optional."
          error={action.fieldErrors().email}
        />
        <FormField
          label="Password"
          name="password"
          type="password"
          value={password()}
          onInput={setPassword}
          autocomplete="new-password"
          hint="At least 8 characters."
          error={action.fieldErrors().password}
        />
        <FormSubmit error={action.error()} busy={action.busy()} label="Create account" busyLabel="Creating…" />
      </form>
    </AuthCard>
  );
}

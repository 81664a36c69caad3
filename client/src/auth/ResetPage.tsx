import { A, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { passwordResetBody, passwordResetConfirmBody } from '#schema/api/auth';
import { apiRequest } from '../api/apiRequest';
import { AuthCard } from './AuthCard';
import { createFormAction } from './createFormAction';
import { FormSubmit } from './FormSubmit';
import { FormField } from './FormField';

const BackToSignIn = () => <A href="/login">Back to sign in</A>;

function RequestReset() {
  const [email, setEmail] = createSignal('');
  const [sent, setSent] = createSignal(false);
  const action = createFormAction(passwordResetBody, async (body) => {
    await apiRequest('POST', '/auth/password-reset', body);
    setSent(true);
  });
  return (
    <AuthCard title="Reset your password" subtitle="We will email you a link to choose a new one." footer={<BackToSignIn />}>
      <Show
        when={!sent()}
        fallback={
          <p class="form-success" role="status" data-testid="reset-sent">
            If an account has this email, we sent a link. Check your inbox.
          </p>
        }
      >
        <form onSubmit={(e) => action.submit({ email: email() }, e)} novalidate>
          <FormField label="Email" name="email" type="email" value={email()} onInput={setEmail} autocomplete="email" autofocus error={action.fieldErrors().email} />
          <FormSubmit error={action.error()} busy={action.busy()} label="Send link" busyLabel="Sending…" />
        </form>
      </Show>
    </AuthCard>
  );
}

function ChooseNewPassword(props: { token: string }) {
  const [password, setPassword] = createSignal('');
  const [done, setDone] = createSignal(false);
  const action = createFormAction(passwordResetConfirmBody, async (body) => {
    await apiRequest('POST', '/auth/password-reset/confirm', body);
    setDone(true);
  });
  return (
    <AuthCard title="Choose a new password" footer={<BackToSignIn />}>
      <Show
        when={!done()}
        fallback={
          <p class="form-success" role="status" data-testid="reset-done">
            Your password is changed. You were signed out everywhere; <A href="/login">sign in</A> with the new one.
          </p>
        }
      >
        <form onSubmit={(e) => action.submit({ token: props.token, password: password() }, e)} novalidate>
          <FormField
            label="New password"
            name="password"
            type="password"
            value={password()}
            onInput={setPassword}
            autocomplete="new-password"
            autofocus
            hint="At least 8 characters."
            error={action.fieldErrors().password ?? action.fieldErrors().token}
          />
          <FormSubmit error={action.error()} busy={action.busy()} label="Set password" busyLabel="Saving…" />
        </form>
      </Show>
    </AuthCard>
  );
}

/** `/reset` asks for an email; `/reset?token=…` (the mailed link) sets the new password. */
export function ResetPage() {
  const [params] = useSearchParams();
  const token = () => (typeof params.token === 'string' ? params.token : '');
  return (
    <Show when={token()} fallback={<RequestReset />} keyed>
      {(t) => <ChooseNewPassword token={t} />}
    </Show>
  );
}

import { Show } from 'solid-js';

/**
 * The end of every form: the form-level error (what the server said), announced when
 * it appears, and the submit button, which says what it is doing while busy.
 */
export function FormSubmit(props: { error: string | undefined; busy: boolean; label: string; busyLabel: string }) {
  return (
    <>
      <Show when={props.error}>
        <p class="form-error" role="alert" data-testid="form-error">
          {props.error}
        </p>
      </Show>
      <button class="button-primary" type="submit" disabled={props.busy} data-testid="submit">
        {props.busy ? props.busyLabel : props.label}
      </button>
    </>
  );
}

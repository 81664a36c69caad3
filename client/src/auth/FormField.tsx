import { Show } from 'solid-js';

export interface FormFieldProps {
  label: string;
  name: string;
  type?: 'text' | 'password' | 'email';
  value: string;
  onInput: (value: string) => void;
  autocomplete?: string;
  hint?: string;
  error?: string | undefined;
  autofocus?: boolean;
}

/** A labelled input with its own inline error, tied to it for screen readers. */
export function FormField(props: FormFieldProps) {
  const id = `field-${props.name}`;
  return (
    <div class="field" classList={{ 'field-invalid': !!props.error }}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        autocomplete={props.autocomplete}
        autofocus={props.autofocus}
        aria-invalid={!!props.error}
        aria-describedby={props.error ? `${id}-error` : undefined}
        data-testid={`${props.name}-input`}
      />
      <Show when={props.error} fallback={props.hint && <p class="field-hint">{props.hint}</p>}>
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      </Show>
    </div>
  );
}

import { createEffect, createSignal, on, type JSX } from 'solid-js';
import { MAX_MESSAGE_TEXT } from '../../../schema/docs/message';
import { CheckIcon, SendIcon } from '../layout/icons';

/** Tallest the input grows before it scrolls, in px (about six lines). */
const MAX_INPUT_HEIGHT_PX = 140;

export interface ComposerProps {
  onSend: (text: string) => boolean;
  disabled: boolean;
  /** Shown above the input: the quote being replied to, or the message being edited. */
  context?: JSX.Element;
  /** While editing, the text to start from; when it turns `null` again the input is cleared. */
  prefill: string | null;
  /** Changes whenever the input should take focus (a reply or an edit started). */
  focusKey: unknown;
  /** Escape: leave reply or edit mode. */
  onCancel: () => void;
  /** Each change of the text, for the "typing…" indicator. */
  onTyping: () => void;
}

/**
 * Enter sends, Shift+Enter starts a new line; the input keeps focus so one can keep typing.
 * `disabled` holds back sending only: typing may start before the chat's replicas are in.
 */
export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal('');
  let input!: HTMLTextAreaElement;

  const fit = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_INPUT_HEIGHT_PX)}px`;
  };
  const replace = (value: string) => {
    setText(value);
    input.value = value;
    fit();
  };
  const send = () => {
    if (props.onSend(text())) replace('');
    input.focus();
  };

  createEffect(
    on(
      () => props.prefill,
      (prefill, previous) => {
        if (prefill !== null) replace(prefill);
        else if (previous != null) replace('');
      },
      { defer: true },
    ),
  );
  createEffect(on(() => props.focusKey, () => input.focus(), { defer: true }));

  return (
    <div class="composer-area">
      {props.context}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <textarea
          ref={input}
          rows={1}
          placeholder="Type a message"
          aria-label="Message"
          maxLength={MAX_MESSAGE_TEXT}
          value={text()}
          onInput={(e) => {
            setText(e.currentTarget.value);
            fit();
            props.onTyping();
          }}
          onKeyDown={(e) => {
            // While an input method is composing, Enter confirms the composition, not the message.
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            } else if (e.key === 'Escape') {
              props.onCancel();
            }
          }}
          autofocus
          data-testid="composer"
        />
        <button
          type="submit"
          class="send-button"
          aria-label={props.prefill !== null ? 'Save edit' : 'Send'}
          disabled={props.disabled || text().trim() === ''}
          data-testid="send"
        >
          {props.prefill !== null ? <CheckIcon /> : <SendIcon />}
        </button>
      </form>
    </div>
  );
}

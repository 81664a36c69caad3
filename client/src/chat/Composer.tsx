import { createSignal } from 'solid-js';
import { MAX_MESSAGE_TEXT } from '../../../schema/docs/message';
import { SendIcon } from '../layout/icons';

/** Tallest the input grows before it scrolls, in px (about six lines). */
const MAX_INPUT_HEIGHT_PX = 140;

/**
 * Enter sends, Shift+Enter starts a new line; the input keeps focus so one can keep typing.
 * `disabled` holds back sending only: typing may start before the chat's replicas are in.
 */
export function Composer(props: { onSend: (text: string) => boolean; disabled: boolean }) {
  const [text, setText] = createSignal('');
  let input!: HTMLTextAreaElement;

  const fit = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_INPUT_HEIGHT_PX)}px`;
  };
  const send = () => {
    if (props.onSend(text())) {
      setText('');
      input.value = '';
      fit();
    }
    input.focus();
  };

  return (
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
        }}
        onKeyDown={(e) => {
          // While an input method is composing, Enter confirms the composition, not the message.
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
        autofocus
        data-testid="composer"
      />
      <button type="submit" class="send-button" aria-label="Send" disabled={props.disabled || text().trim() === ''} data-testid="send">
        <SendIcon />
      </button>
    </form>
  );
}

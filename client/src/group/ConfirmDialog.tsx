/** What a confirmation asks and the button that goes ahead. */
export interface Confirmation {
  text: string;
  action: string;
  run: () => void;
}

/** A small modal question over the group info ("Remove Bob from “Trip”?"); Cancel, a click outside or Escape keep things as they are. */
export function ConfirmDialog(props: { confirmation: Confirmation; onDone: () => void }) {
  return (
    <div class="confirm-backdrop" onClick={(e) => e.target === e.currentTarget && props.onDone()}>
      <div class="confirm" role="alertdialog" aria-modal="true" aria-label={props.confirmation.text} data-testid="confirm-dialog">
        <p class="confirm-text">{props.confirmation.text}</p>
        <div class="confirm-buttons">
          <button type="button" class="confirm-cancel" onClick={() => props.onDone()} data-testid="confirm-cancel">
            Cancel
          </button>
          <button
            type="button"
            class="confirm-go"
            ref={(el) => queueMicrotask(() => el.focus())}
            onClick={() => {
              props.onDone();
              props.confirmation.run();
            }}
            data-testid="confirm-go"
          >
            {props.confirmation.action}
          </button>
        </div>
      </div>
    </div>
  );
}

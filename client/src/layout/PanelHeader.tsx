import { BackIcon } from './icons';

/** The teal header of a panel sliding over the chat list (New chat, New group), with its way back. */
export function PanelHeader(props: { title: string; onBack: () => void }) {
  return (
    <header class="panel-header">
      <button type="button" class="icon-button" onClick={() => props.onBack()} aria-label="Back" data-testid="panel-back">
        <BackIcon />
      </button>
      <h2>{props.title}</h2>
    </header>
  );
}

import { Show } from 'solid-js';
import { CloseIcon, SearchIcon } from '../layout/icons';

export interface SearchBoxProps {
  value: string;
  onInput: (value: string) => void;
  placeholder: string;
  label: string;
  testId: string;
  autofocus?: boolean;
  onFocus?: () => void;
  /** Enter: open the first result. */
  onEnter?: () => void;
}

/** A rounded search field with a magnifier; × and Escape clear it. */
export function SearchBox(props: SearchBoxProps) {
  let input!: HTMLInputElement;
  const clear = () => {
    props.onInput('');
    input.focus();
  };
  return (
    <label class="search-box message-search-box" classList={{ filled: props.value !== '' }}>
      <SearchIcon />
      <input
        ref={(el) => {
          input = el;
          if (props.autofocus) queueMicrotask(() => el.focus());
        }}
        type="text"
        placeholder={props.placeholder}
        aria-label={props.label}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        onFocus={() => props.onFocus?.()}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && props.value.trim() !== '') {
            e.preventDefault();
            props.onEnter?.();
            return;
          }
          if (e.key !== 'Escape' || props.value === '') return;
          e.preventDefault();
          e.stopPropagation();
          props.onInput('');
        }}
        autocomplete="off"
        spellcheck={false}
        data-testid={props.testId}
      />
      <Show when={props.value !== ''}>
        <button type="button" class="search-clear" onClick={clear} aria-label="Clear search" data-testid={`${props.testId}-clear`}>
          <CloseIcon />
        </button>
      </Show>
    </label>
  );
}

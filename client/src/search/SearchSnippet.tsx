import { For } from 'solid-js';
import { snippetOf } from './searchMessages';

/** A result's text around the match, the matching parts marked; always text nodes, never HTML. */
export function SearchSnippet(props: { text: string; query: string }) {
  return (
    <span class="search-snippet" data-testid="search-snippet">
      <For each={snippetOf(props.text, props.query)}>{(part) => (part.match ? <mark>{part.text}</mark> : part.text)}</For>
    </span>
  );
}

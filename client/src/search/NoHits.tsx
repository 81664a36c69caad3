import { Show } from 'solid-js';

/** What a search with no hits shows: "Searching…" until the results are for the words as typed, then "No messages found". */
export function NoHits(props: { search: { ready: () => boolean; settled: () => boolean } }) {
  return (
    <Show when={props.search.ready() && props.search.settled()} fallback={<p class="search-empty">Searching…</p>}>
      <p class="search-empty" data-testid="search-empty">
        No messages found
      </p>
    </Show>
  );
}

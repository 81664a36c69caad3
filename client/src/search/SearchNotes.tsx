import { Show } from 'solid-js';
import { RESULT_LIMIT } from './useMessageSearch';

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

/** Under a list of hits: "Searching…" while the index still loads, and when only the newest hits are shown. */
export function MoreHits(props: { search: { ready: () => boolean; result: () => { total: number } }; hint?: string }) {
  return (
    <>
      <Show when={!props.search.ready()}>
        <p class="search-note">Searching…</p>
      </Show>
      <Show when={props.search.result().total > RESULT_LIMIT}>
        <p class="search-note">
          Showing the {RESULT_LIMIT} newest of {props.search.result().total.toLocaleString()} messages.{props.hint ? ` ${props.hint}` : ''}
        </p>
      </Show>
    </>
  );
}

import { createEffect, createSignal, onCleanup, type Accessor } from 'solid-js';
import type { LinkPreview } from '#schema/docs/message';
import { apiRequest } from '../api/apiRequest';
import { messageParts } from './messageParts';

/** The pause in typing after which a link's preview is asked for. */
const PREVIEW_DELAY_MS = 600;

/** The first http(s) link of a text, as the message will show it. */
function firstLink(text: string): string | null {
  const part = messageParts(text).find((p) => p.kind === 'link' && /^https?:\/\//i.test(p.href));
  return part?.kind === 'link' ? part.href : null;
}

/**
 * The preview of the first link being typed, fetched by the server for this sender
 * (`POST /api/link-preview`) once typing pauses; the message carries it, so receivers
 * fetch nothing. `dismiss` drops it for that link. Offline or without a preview: none.
 */
export function useLinkPreview(text: Accessor<string>, enabled: Accessor<boolean>) {
  const [preview, setPreview] = createSignal<LinkPreview | null>(null);
  const dismissed = new Set<string>();
  const asked = new Map<string, LinkPreview | null>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(() => {
    const link = enabled() ? firstLink(text()) : null;
    clearTimeout(timer);
    if (!link || dismissed.has(link)) return setPreview(null);
    if (preview()?.url === link) return;
    if (asked.has(link)) return setPreview(asked.get(link) ?? null);
    setPreview(null);
    timer = setTimeout(() => {
      apiRequest<LinkPreview>('POST', '/link-preview', { url: link })
        .then(
          (found) => found,
          () => null,
        )
        .then((found) => {
          asked.set(link, found);
          if (enabled() && firstLink(text()) === link && !dismissed.has(link)) setPreview(found);
        });
    }, PREVIEW_DELAY_MS);
  });
  onCleanup(() => clearTimeout(timer));
  return {
    preview,
    dismiss: () => {
      const shown = preview();
      if (shown) dismissed.add(shown.url);
      setPreview(null);
    },
  };
}

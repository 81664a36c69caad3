import { createMemo, createSignal, For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import type { ShownMessage } from '#schema/docs/bucket';
import { formatDuration, type Attachment } from '#schema/docs/message';
import { BackIcon } from '../layout/icons';
import { DocumentIcon, PlayIcon } from './fileIcons';
import { Lightbox } from './Lightbox';
import { sharedIn } from './sharedMedia';
import { fileUrl, formatBytes } from './uploadFile';

/** The panel's tabs, in their order. */
const TABS = [
  { id: 'media', label: 'Media' },
  { id: 'docs', label: 'Docs' },
  { id: 'links', label: 'Links' },
] as const;
type Tab = (typeof TABS)[number]['id'];

const day = (at: number) => new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/**
 * "Media, links and docs": what was shared in the chat as this device holds it (the
 * history loaded so far), newest first. Media is a grid of thumbnails (a click opens
 * the lightbox, arrows step through the grid); documents and voice notes download
 * under their names; links open in a new tab. A drawer like the group info; Back or
 * Escape closes it.
 */
export function MediaPanel(props: { messages: readonly ShownMessage[]; onClose: () => void }) {
  const [tab, setTab] = createSignal<Tab>('media');
  const [open, setOpen] = createSignal<Attachment | null>(null);
  const shared = createMemo(() => sharedIn(props.messages));
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || open()) return;
    // Closes this panel only, not the group info under it.
    e.stopImmediatePropagation();
    props.onClose();
  };
  let back!: HTMLButtonElement;
  onMount(() => {
    document.addEventListener('keydown', onKey, true);
    back.focus();
  });
  onCleanup(() => document.removeEventListener('keydown', onKey, true));

  return (
    <aside class="group-info media-panel" role="dialog" aria-label="Media, links and docs" data-testid="media-panel">
      <header class="group-info-header">
        <button type="button" class="icon-button" aria-label="Back" onClick={() => props.onClose()} ref={back} data-testid="media-panel-close">
          <BackIcon />
        </button>
        <h2>Media, links and docs</h2>
      </header>
      <div class="media-tabs" role="tablist">
        <For each={TABS}>
          {({ id, label }) => (
            <button type="button" role="tab" class="media-tab" aria-selected={tab() === id} onClick={() => setTab(id)} data-testid={`media-tab-${id}`}>
              {label}
            </button>
          )}
        </For>
      </div>
      <div class="group-info-body media-body">
        <TabItems shown={tab() === 'media'} items={shared().media} empty="No photos or videos yet" class="media-grid">
          {(file) => (
            <button type="button" class="media-tile" aria-label={`Open ${file.name}`} onClick={() => setOpen(file)} data-testid="media-tile" data-file-id={file.fileId}>
              <Show when={file.mime.startsWith('video/')} fallback={<img src={fileUrl(file.fileId, true)} alt={file.name} loading="lazy" />}>
                <video src={`${fileUrl(file.fileId)}#t=0.1`} preload="metadata" muted playsinline tabindex="-1" />
                <span class="media-tile-play" aria-hidden="true">
                  <PlayIcon />
                </span>
              </Show>
            </button>
          )}
        </TabItems>
        <TabItems shown={tab() === 'docs'} items={shared().docs} empty="No documents yet" class="media-list">
          {({ attachment, createdAt }) => (
            <a class="media-doc" href={fileUrl(attachment.fileId)} download={attachment.name} data-testid="media-doc">
              <span class="attachment-doc-icon">
                <DocumentIcon />
              </span>
              <span class="attachment-doc-text">
                <span class="attachment-doc-name">{attachment.name}</span>
                <span class="attachment-doc-meta">
                  {attachment.mime.startsWith('audio/') && attachment.duration !== undefined ? `Voice message · ${formatDuration(attachment.duration)}` : formatBytes(attachment.size)} ·{' '}
                  {day(createdAt)}
                </span>
              </span>
            </a>
          )}
        </TabItems>
        <TabItems shown={tab() === 'links'} items={shared().links} empty="No links yet" class="media-list">
          {(link) => (
            <a class="media-link" href={link.href} target="_blank" rel="noopener noreferrer" data-testid="media-link">
              <span class="media-link-text">{link.text}</span>
              <span class="attachment-doc-meta">{day(link.createdAt)}</span>
            </a>
          )}
        </TabItems>
        <p class="media-note">Shows what this device has loaded of the chat; scroll up in the chat to load older messages.</p>
      </div>
      <Show when={open()}>{(file) => <Lightbox first={file()} items={shared().media.map((m) => ({ fileId: m.fileId, name: m.name, mime: m.mime }))} onClose={() => setOpen(null)} />}</Show>
    </aside>
  );
}

/** One tab's content, while it is the tab shown: its items, each in a list row, or a line saying there are none yet. */
function TabItems<T>(props: { shown: boolean; items: readonly T[]; empty: string; class: string; children: (item: T) => JSX.Element }) {
  return (
    <Show when={props.shown}>
      <Show when={props.items.length > 0} fallback={<p class="media-empty">{props.empty}</p>}>
        <ul class={props.class}>
          <For each={props.items}>{(item) => <li>{props.children(item)}</li>}</For>
        </ul>
      </Show>
    </Show>
  );
}

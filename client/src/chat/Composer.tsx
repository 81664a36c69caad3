import { createEffect, createSignal, on, Show, type JSX } from 'solid-js';
import { MAX_MESSAGE_TEXT, type LinkPreview } from '#schema/docs/message';
import { LinkPreviewCard } from './LinkPreviewCard';
import { useLinkPreview } from './useLinkPreview';
import { chooseFiles, chosenFiles, fileDropHandlers, takeChosen } from '../files/attachQueue';
import { MicIcon, PaperclipIcon } from '../files/fileIcons';
import { FileTray } from '../files/FileTray';
import { useUploads } from '../files/useUploads';
import { canRecordVoice, useVoiceRecorder } from '../files/voiceRecorder';
import { CheckIcon, EmojiIcon, SendIcon } from '../layout/icons';
import { EmojiPicker } from './EmojiPicker';
import { filterMentionables, MentionPicker, mentionQueryAt, type Mentionable } from './MentionPicker';
import { mentionsIn } from './messageParts';
import { VoiceRecorderBar } from './VoiceRecorderBar';

/** Most members the `@` picker lists at once. */
const MAX_MENTION_OPTIONS = 6;

/** Tallest the input grows before it scrolls, in px (about six lines). */
const MAX_INPUT_HEIGHT_PX = 140;

export interface ComposerProps {
  /** Sends the text, with the preview of its first link when one was fetched and kept. */
  onSend: (text: string, preview?: LinkPreview) => boolean;
  /** The chat files are sent to. */
  roomId: string;
  /** Files were handed over for sending (they go in the background; their pending bubbles show at the end of the chat). */
  onSendFile: () => void;
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
  /** Group members one may mention with `@` (empty in a DM). */
  mentionables: Mentionable[];
  /** The chat's saved draft, put in the input when the chat opens. */
  draft: string | undefined;
  /** The text as typed, to keep as the chat's draft (not while editing a message). */
  onDraft: (text: string) => void;
  /** ↑ in an empty input: edit one's last message, as chat apps do. */
  onEditLast?: () => void;
}

/**
 * Enter sends, Shift+Enter starts a new line; the input keeps focus so one can keep typing.
 * `disabled` holds back sending only: typing may start before the chat's replicas are in.
 */
export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal('');
  const [mention, setMention] = createSignal<{ start: number; query: string } | null>(null);
  const [active, setActive] = createSignal(0);
  const [picking, setPicking] = createSignal(false);
  // Not for an edit: an edit changes the text only.
  const link = useLinkPreview(text, () => props.prefill === null && chosenFiles(props.roomId).length === 0);
  let input!: HTMLTextAreaElement;
  let emojiButton!: HTMLButtonElement;
  /** Puts an emoji where the caret is, as if typed. */
  const insert = (emoji: string) => {
    const start = input.selectionStart;
    const value = input.value.slice(0, start) + emoji + input.value.slice(input.selectionEnd);
    replace(value);
    input.setSelectionRange(start + emoji.length, start + emoji.length);
    props.onTyping();
    if (props.prefill === null) props.onDraft(value);
  };
  let filePicker!: HTMLInputElement;
  const uploads = useUploads(() => props.roomId);
  const chosen = () => chosenFiles(props.roomId);
  const voice = useVoiceRecorder(() => void sendVoice());
  const recording = () => voice.state() !== 'idle';
  /** The mic takes the send button's place while there is nothing to send, as in other chat apps. */
  const showMic = () => canRecordVoice() && text().trim() === '' && chosen().length === 0 && props.prefill === null && !props.disabled;
  const sendVoice = async () => {
    const recorded = await voice.finish();
    if (recorded) {
      await uploads.start([{ file: recorded.file, preview: null }], '', { duration: recorded.duration });
      props.onSendFile();
    }
    input.focus();
  };
  const paste = fileDropHandlers(() => props.roomId).onPaste;
  const candidates = () => {
    const m = mention();
    return m ? filterMentionables(props.mentionables, m.query).slice(0, MAX_MENTION_OPTIONS) : [];
  };
  const findMention = () => {
    setMention(props.mentionables.length > 0 ? mentionQueryAt(input.value, input.selectionStart) : null);
    setActive(0);
  };
  /** Replaces the `@query` being typed with the person's `@Name `. */
  const pick = (person: Mentionable) => {
    const m = mention();
    if (!m) return;
    const caret = input.selectionStart;
    const tag = `@${person.name} `;
    const value = input.value.slice(0, m.start) + tag + input.value.slice(caret);
    replace(value);
    input.setSelectionRange(m.start + tag.length, m.start + tag.length);
    setMention(null);
    if (props.prefill === null) props.onDraft(value);
  };

  const fitHeight = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_INPUT_HEIGHT_PX)}px`;
  };
  const replace = (value: string) => {
    setText(value);
    input.value = value;
    fitHeight();
  };
  /** Characters over the limit: said before sending, and sending waits, instead of cutting a paste short unseen. */
  const overBy = () => Math.max(0, text().length - MAX_MESSAGE_TEXT);
  const send = () => {
    if (overBy() > 0) return;
    // Chosen files go first, the typed text as the first one's caption.
    if (chosen().length > 0 && props.prefill === null && !props.disabled) {
      const caption = text().trim();
      void uploads.start(takeChosen(props.roomId), caption, { mentions: mentionsIn(caption, props.mentionables) });
      props.onSendFile();
      replace('');
      props.onDraft('');
    } else {
      const preview = link.preview();
      if (props.onSend(text(), preview && text().includes(preview.url) ? preview : undefined)) replace('');
    }
    setMention(null);
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
  createEffect(
    on(
      () => props.focusKey,
      () => input.focus(),
      { defer: true },
    ),
  );
  // The draft arrives with the inbox, possibly after the chat opened: taken once, never over typing.
  let draftTaken = false;
  createEffect(() => {
    const draft = props.draft;
    if (draftTaken || !draft) return;
    draftTaken = true;
    if (text() === '') replace(draft);
  });

  return (
    <div class="composer-area">
      {props.context}
      <Show when={link.preview()}>{(preview) => <LinkPreviewCard preview={preview()} onDismiss={link.dismiss} testid="composer-preview" />}</Show>
      <FileTray roomId={props.roomId} chosen={chosen()} />
      <MentionPicker people={candidates()} active={active()} onPick={pick} />
      <Show when={overBy() > 0}>
        <p class="composer-too-long" role="alert" data-testid="composer-too-long">
          {`This message is ${text().length.toLocaleString('en')} characters long; the limit is ${MAX_MESSAGE_TEXT.toLocaleString('en')}. Remove ${overBy().toLocaleString('en')} to send it.`}
        </p>
      </Show>
      <form
        class="composer"
        classList={{ recording: recording() }}
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <input
          ref={filePicker}
          type="file"
          multiple
          hidden
          onChange={(e) => {
            chooseFiles(props.roomId, e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            input.focus();
          }}
          data-testid="file-input"
        />
        <button type="button" class="attach-button icon-button" aria-label="Attach files" disabled={props.prefill !== null} onClick={() => filePicker.click()} data-testid="attach">
          <PaperclipIcon />
        </button>
        <button
          type="button"
          class="icon-button composer-emoji"
          ref={emojiButton}
          aria-label="Emoji"
          aria-haspopup="dialog"
          aria-expanded={picking()}
          title="Emoji"
          onClick={() => setPicking(!picking())}
          data-testid="composer-emoji"
        >
          <EmojiIcon />
        </button>
        <Show when={picking()}>
          <EmojiPicker anchor={emojiButton} label="Emoji" onPick={insert} onClose={() => setPicking(false)} />
        </Show>
        <textarea
          ref={input}
          onPaste={paste}
          rows={1}
          placeholder="Type a message"
          aria-label="Message"
          dir="auto"
          aria-invalid={overBy() > 0}
          value={text()}
          onInput={(e) => {
            draftTaken = true;
            setText(e.currentTarget.value);
            fitHeight();
            findMention();
            props.onTyping();
            if (props.prefill === null) props.onDraft(e.currentTarget.value);
          }}
          onClick={findMention}
          onBlur={() => setMention(null)}
          onKeyDown={(e) => {
            const options = candidates();
            if (options.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
              e.preventDefault();
              setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
            } else if (options.length > 0 && (e.key === 'Enter' || e.key === 'Tab') && !e.isComposing) {
              e.preventDefault();
              pick(options[active()]!);
            } else if (options.length > 0 && e.key === 'Escape') {
              setMention(null);
              // While an input method is composing, Enter confirms the composition, not the message.
            } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            } else if (e.key === 'Escape') {
              props.onCancel();
            } else if (e.key === 'ArrowUp' && input.value === '' && props.onEditLast && !e.altKey) {
              e.preventDefault();
              props.onEditLast();
            }
          }}
          autofocus
          data-testid="composer"
        />
        <Show when={recording()}>
          <VoiceRecorderBar voice={voice} />
        </Show>
        <Show
          when={recording() || showMic()}
          fallback={
            <button
              type="submit"
              class="send-button"
              aria-label={props.prefill !== null ? 'Save edit' : 'Send'}
              disabled={props.disabled || overBy() > 0 || (text().trim() === '' && (chosen().length === 0 || props.prefill !== null))}
              data-testid="send"
            >
              {props.prefill !== null ? <CheckIcon /> : <SendIcon />}
            </button>
          }
        >
          <Show
            when={recording()}
            fallback={
              <button type="button" class="send-button" aria-label="Record a voice message" onClick={() => void voice.start()} data-testid="voice-record">
                <MicIcon />
              </button>
            }
          >
            <button type="button" class="send-button" aria-label="Send voice message" disabled={voice.state() !== 'recording'} onClick={() => void sendVoice()} data-testid="voice-send">
              <SendIcon />
            </button>
          </Show>
        </Show>
      </form>
    </div>
  );
}

import { Show } from 'solid-js';
import { formatDuration } from '#schema/docs/message';
import { TrashIcon } from '../files/fileIcons';
import type { useVoiceRecorder } from '../files/voiceRecorder';

/** What the composer shows in place of the input while a voice message records: cancel, the time so far, or why the microphone failed. */
export function VoiceRecorderBar(props: { voice: ReturnType<typeof useVoiceRecorder> }) {
  return (
    <div class="voice-recorder" data-testid="voice-recorder">
      <button type="button" class="icon-button" aria-label="Cancel voice message" onClick={() => props.voice.cancel()} data-testid="voice-cancel">
        <TrashIcon />
      </button>
      <Show
        when={props.voice.state() !== 'error'}
        fallback={
          <span class="voice-recorder-error" role="alert" data-testid="voice-error">
            {props.voice.error()}
          </span>
        }
      >
        <span class="voice-recorder-dot" aria-hidden="true" />
        <span class="voice-recorder-time" role="timer" aria-label="Recording time" data-testid="voice-elapsed">
          {formatDuration(props.voice.elapsed())}
        </span>
        <span class="voice-recorder-label">{props.voice.state() === 'starting' ? 'Opening the microphone…' : 'Recording…'}</span>
      </Show>
    </div>
  );
}

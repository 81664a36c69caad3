import { createSignal, onCleanup } from 'solid-js';
import { formatDuration, type Attachment } from '#schema/docs/message';
import { PauseIcon, PlayIcon } from './fileIcons';
import { fileUrl } from './uploadFile';

/** The one recording playing on the page: starting another pauses it, as in other chat apps. */
let playing: HTMLAudioElement | null = null;

/**
 * A voice note (or any audio file) played in the bubble: play/pause, a progress bar one
 * can click or drag to seek, and the length (the time played while it plays). The
 * length shown first is the sender's measure, from the message, so it needs no
 * download; the audio is fetched when played (`preload="none"`).
 */
export function VoiceNote(props: { attachment: Attachment }) {
  const [isPlaying, setPlaying] = createSignal(false);
  const [position, setPosition] = createSignal(0);
  const [loadedDuration, setLoadedDuration] = createSignal<number | null>(null);
  const duration = () => props.attachment.duration ?? loadedDuration() ?? 0;
  const audio = new Audio();
  audio.preload = 'none';
  audio.src = fileUrl(props.attachment.fileId);
  audio.addEventListener('play', () => {
    if (playing && playing !== audio) playing.pause();
    playing = audio;
    setPlaying(true);
  });
  audio.addEventListener('pause', () => setPlaying(false));
  audio.addEventListener('ended', () => {
    setPlaying(false);
    setPosition(0);
  });
  audio.addEventListener('timeupdate', () => setPosition(audio.currentTime));
  audio.addEventListener('durationchange', () => {
    // A recording made by MediaRecorder has no length in its header: Infinity until played through.
    if (Number.isFinite(audio.duration)) setLoadedDuration(audio.duration);
  });
  onCleanup(() => {
    audio.pause();
    if (playing === audio) playing = null;
    audio.removeAttribute('src');
  });

  const toggle = () => {
    if (audio.paused) void audio.play().catch(() => setPlaying(false));
    else audio.pause();
  };
  const fraction = () => (duration() > 0 ? Math.min(1, position() / duration()) : 0);
  const seek = (e: PointerEvent & { currentTarget: HTMLElement }) => {
    const box = e.currentTarget.getBoundingClientRect();
    const at = Math.min(1, Math.max(0, (e.clientX - box.left) / box.width)) * duration();
    if (Number.isFinite(at) && duration() > 0) {
      audio.currentTime = at;
      setPosition(at);
    }
  };

  return (
    <div class="voice-note" data-testid="attachment-voice" data-playing={isPlaying()}>
      <button type="button" class="voice-play" aria-label={isPlaying() ? 'Pause voice message' : 'Play voice message'} onClick={toggle} data-testid="voice-play">
        {isPlaying() ? <PauseIcon /> : <PlayIcon />}
      </button>
      <div
        class="voice-track"
        role="slider"
        tabindex="0"
        aria-label="Position"
        aria-valuemin={0}
        aria-valuemax={Math.round(duration())}
        aria-valuenow={Math.round(position())}
        aria-valuetext={`${formatDuration(position())} of ${formatDuration(duration())}`}
        onPointerDown={seek}
        onKeyDown={(e) => {
          const step = e.key === 'ArrowRight' ? 5 : e.key === 'ArrowLeft' ? -5 : 0;
          if (step === 0) return;
          e.preventDefault();
          audio.currentTime = Math.min(duration(), Math.max(0, audio.currentTime + step));
        }}
        data-testid="voice-progress"
      >
        <div class="voice-track-fill" style={{ width: `${fraction() * 100}%` }} />
        <div class="voice-track-knob" style={{ left: `${fraction() * 100}%` }} />
      </div>
      <span class="voice-duration" data-testid="voice-duration">
        {formatDuration(isPlaying() || position() > 0 ? position() : duration())}
      </span>
    </div>
  );
}

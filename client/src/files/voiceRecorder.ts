import { createSignal, onCleanup } from 'solid-js';

/** Longest voice note: recording stops by itself here and the note is sent. */
const MAX_VOICE_SECONDS = 15 * 60;

/** Containers browsers record to, in order of preference (Chromium and Firefox: WebM/Ogg Opus; Safari: MP4 AAC). */
const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];

/** Whether this browser can record a voice note at all. */
export function canRecordVoice(): boolean {
  return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}

/** A finished recording, named as people will see it in a chat. */
export interface VoiceRecording {
  file: File;
  /** Seconds recorded. */
  duration: number;
}

function extensionOf(type: string): string {
  if (type.includes('ogg')) return 'ogg';
  if (type.includes('mp4')) return 'm4a';
  return 'webm';
}

/**
 * Records a voice note from the microphone with MediaRecorder. `state` is `idle`,
 * `recording`, or `error` (the microphone refused or missing: `error` says why);
 * `elapsed` ticks in seconds while recording. `finish` stops and hands back the
 * recording; `cancel` stops and throws it away. The microphone is released either way,
 * and when the composer goes away.
 */
export function useVoiceRecorder(onLimit: () => void) {
  const [state, setState] = createSignal<'idle' | 'starting' | 'recording' | 'error'>('idle');
  const [elapsed, setElapsed] = createSignal(0);
  const [error, setError] = createSignal<string | null>(null);
  let recorder: MediaRecorder | null = null;
  let stream: MediaStream | null = null;
  let chunks: Blob[] = [];
  let startedAt = 0;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const release = () => {
    clearInterval(ticker);
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    recorder = null;
  };

  async function start(): Promise<void> {
    if (state() === 'recording' || state() === 'starting') return;
    setState('starting');
    setError(null);
    setElapsed(0);
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      release();
      setError(e instanceof DOMException && e.name === 'NotAllowedError' ? 'Jeco may not use the microphone. Allow it in the browser’s site settings.' : 'No microphone could be opened.');
      setState('error');
      return;
    }
    if (state() !== 'starting') return release(); // cancelled while the browser asked
    const type = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    chunks = [];
    recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    });
    recorder.start(250);
    startedAt = performance.now();
    ticker = setInterval(() => {
      const seconds = (performance.now() - startedAt) / 1000;
      setElapsed(seconds);
      if (seconds >= MAX_VOICE_SECONDS) onLimit();
    }, 200);
    setState('recording');
  }

  /** Stops and returns the recording; null if nothing was recorded. */
  function finish(): Promise<VoiceRecording | null> {
    const active = recorder;
    if (!active || state() !== 'recording') {
      cancel();
      return Promise.resolve(null);
    }
    const duration = (performance.now() - startedAt) / 1000;
    return new Promise((resolve) => {
      active.addEventListener(
        'stop',
        () => {
          const type = (active.mimeType || 'audio/webm').split(';')[0]!;
          const blob = new Blob(chunks, { type });
          chunks = [];
          const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
          resolve(blob.size > 0 ? { file: new File([blob], `Voice message ${stamp}.${extensionOf(type)}`, { type }), duration } : null);
        },
        { once: true },
      );
      active.stop();
      release();
      setState('idle');
    });
  }

  function cancel(): void {
    if (recorder && recorder.state !== 'inactive') recorder.stop();
    chunks = [];
    release();
    setState('idle');
    setError(null);
  }

  onCleanup(cancel);
  return { state, elapsed, error, start, finish, cancel };
}

import { rgbaToThumbHash } from 'thumbhash';

/** What the sending device learns of a video before uploading it: its pixel size and a ThumbHash of its first frame. */
export interface VideoShape {
  width: number;
  height: number;
  thumbhash: string;
}

/** ThumbHash works on images of at most 100 px a side. */
const HASH_SIDE_PX = 100;
/** A video the browser cannot decode this fast gets no shape: the bubble falls back to 16:9. */
const DECODE_WITHIN_MS = 5_000;

/**
 * The server has no video decoder (no ffmpeg), so the sending browser decodes the first
 * frame itself: the message then carries the video's width, height and a ThumbHash,
 * and its bubble has the right shape and a poster from the first moment, on every
 * device. Null when the browser cannot decode the video.
 */
export async function videoShape(file: Blob): Promise<VideoShape | null> {
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  try {
    const loaded = new Promise<boolean>((resolve) => {
      video.onloadeddata = () => resolve(true);
      video.onerror = () => resolve(false);
      setTimeout(() => resolve(false), DECODE_WITHIN_MS);
    });
    video.src = url;
    if (!(await loaded) || !video.videoWidth || !video.videoHeight) return null;
    const { videoWidth: width, videoHeight: height } = video;
    const scale = HASH_SIDE_PX / Math.max(width, height);
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    if (!context) return null;
    context.drawImage(video, 0, 0, w, h);
    const hash = rgbaToThumbHash(w, h, context.getImageData(0, 0, w, h).data);
    return { width, height, thumbhash: btoa(String.fromCharCode(...hash)) };
  } catch {
    return null;
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}

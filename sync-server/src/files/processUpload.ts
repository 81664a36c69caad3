import { randomUUID } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import type { BlobStore } from './blobStore';

/** Longest side of a thumbnail: a chat bubble at twice the pixel density. */
const THUMB_MAX_PX = 640;
/** ThumbHash works on images of at most 100×100. */
const THUMBHASH_MAX_PX = 100;
/** Images re-encoded without their metadata (EXIF, GPS, XMP); their type is kept. */
const STRIPPED_IMAGES: Record<string, 'jpeg' | 'png' | 'webp' | 'avif'> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
};
/** Images shown inline that carry no EXIF to strip; they get a thumbnail as they are. */
const PLAIN_IMAGES = new Set(['image/gif']);

/** What an upload turned into: the stored blob and what a chat needs to show it. */
export interface ProcessedUpload {
  mime: string;
  sha256: string;
  size: number;
  width: number | null;
  height: number | null;
  thumbSha256: string | null;
  thumbhash: string | null;
}

/** How much of a WebM file is read for its track list (it comes first, after the header). */
const WEBM_TRACKS_SCAN_BYTES = 64 * 1024;

/**
 * Whether a WebM file names no video codec in its track list, only audio ones: a voice
 * note recorded by a browser (MediaRecorder), which `file-type` calls `video/webm` as
 * it does every WebM. Codec ids are plain ASCII in Matroska (`V_VP8`, `A_OPUS`, …).
 */
async function webmHasNoVideo(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(WEBM_TRACKS_SCAN_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead).toString('latin1');
    return /A_(OPUS|VORBIS|AAC|MPEG)/.test(head) && !/V_(VP8|VP9|AV1|MPEG4|MPEGH|MS\/VFW|THEORA)/.test(head);
  } finally {
    await handle.close();
  }
}

/** The image could not be decoded though its bytes say it is one. */
export class UnreadableImage extends Error {}

/**
 * Turns a finished upload at `file` into stored blobs. The type comes from the bytes,
 * never from the client's name or header. Images are re-encoded with the orientation
 * applied and every metadata block dropped (sharp keeps none unless asked), so a
 * photo's GPS position never leaves the server; they also get a thumbnail and a
 * ThumbHash. `file` is consumed. `scratch` is a directory on the same filesystem.
 */
export async function processUpload(file: string, blobs: BlobStore, scratch: string): Promise<ProcessedUpload> {
  let mime = (await fileTypeFromFile(file))?.mime ?? 'application/octet-stream';
  if (mime === 'video/webm' && (await webmHasNoVideo(file))) mime = 'audio/webm';
  const format = STRIPPED_IMAGES[mime];
  if (!format && !PLAIN_IMAGES.has(mime)) {
    return { mime, ...(await blobs.putFile(file)), width: null, height: null, thumbSha256: null, thumbhash: null };
  }
  const temp = (suffix: string) => path.join(scratch, `${randomUUID()}.${suffix}`);
  const made: string[] = [];
  try {
    let source = file;
    if (format) {
      source = temp(format);
      made.push(source);
      await sharp(file).rotate().toFormat(format).toFile(source);
    }
    const meta = await sharp(source).metadata();
    const thumb = temp('webp');
    made.push(thumb);
    await sharp(source).rotate().resize(THUMB_MAX_PX, THUMB_MAX_PX, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 75 }).toFile(thumb);
    const tiny = await sharp(source).rotate().resize(THUMBHASH_MAX_PX, THUMBHASH_MAX_PX, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const thumbhash = Buffer.from(rgbaToThumbHash(tiny.info.width, tiny.info.height, tiny.data)).toString('base64');
    const stored = await blobs.putFile(source);
    const thumbInfo = await blobs.putFile(thumb);
    // GIFs are stored as sent; a re-encoded image replaces the original.
    if (source !== file) await rm(file, { force: true });
    // `source` has no orientation tag left (re-encoded upright, or a GIF): its size is as shown.
    return { mime, ...stored, width: meta.width ?? null, height: meta.height ?? null, thumbSha256: thumbInfo.sha256, thumbhash };
  } catch (error) {
    // libvips errors carry no code; file system errors (a full disk) do and are the server's.
    if (error instanceof Error && !(error as NodeJS.ErrnoException).code) {
      throw new UnreadableImage(error.message);
    }
    throw error;
  } finally {
    await Promise.all(made.map((p) => rm(p, { force: true })));
  }
}

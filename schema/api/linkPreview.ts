import { z } from 'zod';
import { MAX_PREVIEW_URL } from '../docs/message';

/** `POST /api/link-preview`: the link to preview. */
export const linkPreviewBody = z.object({ url: z.string().url().max(MAX_PREVIEW_URL) }).strict();

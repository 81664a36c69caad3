import { z } from 'zod';

/** Usernames: 3–32 of a–z, 0–9, `_`, `.`; stored lowercased so `Alice` and `alice` are one account. */
const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_.]{3,32}$/, 'Use 3–32 letters, digits, _ or .');

/** Passwords: at least 8 characters (OWASP ASVS 2.1.1), at most 256 so hashing stays bounded. */
export const passwordSchema = z.string().min(8, 'Use at least 8 characters').max(256);

export const displayNameSchema = z.string().trim().min(1).max(64);

export const emailSchema = z.string().trim().toLowerCase().email().max(254);

export const registerBody = z
  .object({
    username: usernameSchema,
    password: passwordSchema,
    displayName: displayNameSchema.optional(),
    email: emailSchema.optional(),
  })
  .strict();

export const loginBody = z.object({ username: usernameSchema, password: z.string().min(1).max(256) }).strict();

export const passwordResetBody = z.object({ email: emailSchema }).strict();

export const passwordResetConfirmBody = z.object({ token: z.string().min(10).max(200), password: passwordSchema }).strict();

/** A user as the API shows it to its owner and to other signed-in users. */
export const publicUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  /** Null when unknown or when the user does not let the asker see it (see `schema/privacy.ts`). */
  lastSeenAt: z.number().nullable(),
  /** The profile's "about" line; null when unset or hidden from the asker. */
  about: z.string().nullable().optional(),
  /** False when the user does not let the asker add them to groups (`schema/privacy.ts`); absent when they do. */
  mayAddToGroups: z.literal(false).optional(),
  /**
   * The profile photo's version (changes with the photo), to fetch from
   * `GET /api/users/:id/photo?v=<photo>`; null or absent for none, or hidden from the asker.
   */
  photo: z.string().nullable().optional(),
  /** Present when the account was deleted: the name reads "Deleted account" and nothing else is shown. */
  deleted: z.literal(true).optional(),
  /** Only in answers about oneself: whether push notifications carry message text. */
  pushPreview: z.boolean().optional(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

const authResponse = z.object({ user: publicUserSchema, token: z.string() });
export type AuthResponse = z.infer<typeof authResponse>;

export const userSearchQuery = z.object({ q: z.string().trim().max(64).default('') });

/** Name of the session cookie. */
export const SESSION_COOKIE = 'jeco_session';

/**
 * Name of the flag cookie a browser sets when someone signs out on it. The session
 * cookie is HttpOnly, so a client signing out offline cannot remove it; this flag,
 * which scripts may write, tells the server that the session cookie riding along with
 * it was signed out: the server revokes that session and clears both cookies on the
 * next request that reaches it, and never lets it sign anyone in meanwhile.
 */
export const SIGNED_OUT_COOKIE = 'jeco_signed_out';

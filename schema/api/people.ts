import { z } from 'zod';
import { AUDIENCES, GROUP_ADDERS, type Audience, type GroupAdders } from '../privacy';
import { displayNameSchema, emailSchema, passwordSchema, publicUserSchema } from './auth';

/** Longest "about" line, as WhatsApp's: a line, not a biography. */
export const ABOUT_MAX = 140;

/** `PATCH /api/me`: the profile fields to change; an empty `about` clears it. */
export const profileBody = z
  .object({
    displayName: displayNameSchema.optional(),
    about: z
      .string()
      .trim()
      .max(ABOUT_MAX, `Use at most ${ABOUT_MAX} characters`)
      .transform((about) => (about === '' ? null : about))
      .nullable()
      .optional(),
    /** "Show message preview": whether push notifications carry message text. */
    pushPreview: z.boolean().optional(),
  })
  .strict()
  .refine((body) => body.displayName !== undefined || body.about !== undefined || body.pushPreview !== undefined, 'Nothing to change');

/** The name a deleted account is shown under, to everyone. */
export const DELETED_ACCOUNT_NAME = 'Deleted account';

/** `DELETE /api/me`: the password proves it is the owner at the keyboard. */
export const deleteAccountBody = z.object({ password: z.string().min(1).max(256) }).strict();

/** `PUT /api/me/email`: the new address, and the password again. */
export const changeEmailBody = z.object({ email: emailSchema, password: z.string().min(1).max(256) }).strict();

/** `POST /api/auth/password`: the current password proves it is the owner at the keyboard. */
export const changePasswordBody = z.object({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema }).strict();

/** One signed-in session as the devices list shows it. */
const deviceSchema = z.object({
  /** Not the session token nor its stored hash: an id good only for signing it out. */
  id: z.string(),
  /** "Chrome 120 on Linux", or "Unknown browser". */
  browser: z.string(),
  createdAt: z.number(),
  lastActiveAt: z.number().nullable(),
  /** The session this request came from. */
  current: z.boolean(),
});
export type Device = z.infer<typeof deviceSchema>;

const devicesResponse = z.object({ devices: z.array(deviceSchema) });
export type DevicesResponse = z.infer<typeof devicesResponse>;

/** `:id` of the session routes. */
export const deviceParams = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'Not a session id') });

/** `:id` of the block routes. */
export const blockParams = z.object({ id: z.string().max(64) });

/** `GET /api/blocks`: the people I blocked, newest first. */
const blockedResponse = z.object({ blocked: z.array(z.object({ user: publicUserSchema, at: z.number() })) });
export type BlockedResponse = z.infer<typeof blockedResponse>;

const audience = z.enum(AUDIENCES as [Audience, ...Audience[]]);

/** All of a user's privacy settings (`schema/privacy.ts`), as `GET /api/me/privacy` answers them. */
const privacySettingsSchema = z.object({ lastSeen: audience, profile: audience, readReceipts: z.boolean(), groupAdd: z.enum(GROUP_ADDERS as [GroupAdders, ...GroupAdders[]]) }).strict();

/** `PATCH /api/me/privacy`: the settings to change; the others stay. */
export const privacyBody = privacySettingsSchema.partial().refine((body) => Object.keys(body).length > 0, 'Nothing to change');

const privacyResponse = z.object({ privacy: privacySettingsSchema });
export type PrivacyResponse = z.infer<typeof privacyResponse>;

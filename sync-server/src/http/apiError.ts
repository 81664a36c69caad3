import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { HTTP_ERRORS, type ApiErrorBody, type HttpErrorKind } from '#schema/api/errors';

/** Sends the one error shape of the API: `{error: {kind, message}}` with the kind's status. */
export function sendError(reply: FastifyReply, kind: HttpErrorKind, message?: string): FastifyReply {
  const body: ApiErrorBody = { error: { kind, message: message ?? HTTP_ERRORS[kind].message } };
  return reply.code(HTTP_ERRORS[kind].status).send(body);
}

/** Thrown by {@link parseWith}; the error handler answers it with `bad_request`. */
export class BadRequest extends Error {
  readonly statusCode = 400;
}

/** Parses untrusted input with a zod schema, or throws {@link BadRequest} naming the first problem. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new BadRequest(`${where}${issue?.message ?? 'invalid'}`);
}

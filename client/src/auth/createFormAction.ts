import { createSignal } from 'solid-js';
import type { ZodType } from 'zod';
import { ApiError } from '../api/apiRequest';

export type FieldErrors = Partial<Record<string, string>>;

/**
 * The submit side of a form: validates `values` with the same zod schema the server
 * uses (so most mistakes are explained before a round trip), then runs `send`,
 * turning an {@link ApiError} into the message shown above the button.
 */
export function createFormAction<T>(schema: ZodType<T>, send: (body: T) => Promise<void>) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [fieldErrors, setFieldErrors] = createSignal<FieldErrors>({});

  async function submit(values: unknown, event?: Event): Promise<void> {
    event?.preventDefault();
    if (busy()) return;
    setError(undefined);
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        errors[field] ??= issue.message;
      }
      setFieldErrors(errors);
      return;
    }
    setFieldErrors({});
    setBusy(true);
    try {
      await send(parsed.data);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Something went wrong. Please try again.');
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, fieldErrors, submit };
}

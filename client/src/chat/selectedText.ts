import type { ShownMessage } from '#schema/docs/bucket';

/** The text a message shows now: its latest edit, nothing once deleted. */
export function shownText(message: ShownMessage): string {
  return message.deleted ? '' : (message.editedText ?? message.text);
}

/**
 * What "Copy" puts on the clipboard for the chosen messages, in the chat's order: one
 * message's text as it is; several as `[time] Name: text` lines, as WhatsApp copies
 * them, so a pasted conversation still says who said what. Messages without text
 * (deleted, or a photo without caption) are left out.
 */
export function selectedText(messages: readonly ShownMessage[], label: (message: ShownMessage) => string): string {
  const withText = messages.filter((m) => shownText(m) !== '');
  if (withText.length === 1) return shownText(withText[0]!);
  return withText.map((m) => `[${label(m)}] ${shownText(m)}`).join('\n');
}

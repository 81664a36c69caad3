/** "1 message", "3 messages": how the status line and the banners count waiting messages. */
export function messageCount(n: number): string {
  return n === 1 ? '1 message' : `${n} messages`;
}

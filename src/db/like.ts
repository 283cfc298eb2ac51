/** `LIKE` pattern matching `text` anywhere, with the wildcards in it escaped (ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

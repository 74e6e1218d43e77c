/** Text from the store, made inert for a Markdown string: no links, emphasis, HTML or table breaks. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~:]/g, (character) => `\\${character}`).replace(/\r?\n/g, ' ');
}

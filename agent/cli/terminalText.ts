/**
 * Text from profiles (function names, file names, label values) is untrusted, and a terminal obeys some of the
 * characters it may hold: C0 and C1 controls move the cursor or clear the screen, bidirectional overrides (U+202E)
 * reorder what the reader sees, zero-width and other format characters (U+200B, U+FEFF) hide text. Every such
 * character is shown as a visible `\uXXXX` escape instead (a character beyond U+FFFF as its two UTF-16 halves), which
 * inside JSON output is the escape JSON itself uses, so JSON stays valid and means the same.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

function escaped(character: string): string {
  let text = '';
  for (let i = 0; i < character.length; i++) text += `\\u${character.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
  return text;
}

/** One field of untrusted text (a name, a path): every control and format character escaped, line ends and tabs too. */
export function safe(text: string): string {
  return text.replace(UNSAFE, escaped);
}

/** A whole block of output: the same, except for the line ends and tabs that lay it out. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, c => (c === '\n' || c === '\t' ? c : escaped(c)));
}

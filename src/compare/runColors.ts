// Shared with the webviews: no Node or DOM APIs here.

/**
 * Twenty hues of even spacing, consecutive entries far apart, at two luminances chosen so that every color has a
 * contrast of at least 3:1 against white, black and VS Code's dark editor background (#1e1e1e).
 */
export const RUN_PALETTE: readonly string[] = [
  '#e36268', '#1a8b32', '#6d84ef', '#ca542d', '#019f71', '#7e67d4', '#d57105', '#038779', '#ac72db', '#a56e04',
  '#029ba1', '#ae57b1', '#a88804', '#0a849d', '#d365aa', '#7d7d02', '#0b94cf', '#c84e77', '#6c990d', '#2679d4',
];

/** FNV-1a, 32 bits, over the UTF-16 code units of the text. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

export function runColorIndex(runId: string): number {
  return fnv1a(runId) % RUN_PALETTE.length;
}

/** The same color for the same run in every chart and every session. */
export function runColor(runId: string): string {
  return RUN_PALETTE[runColorIndex(runId)] as string;
}

/**
 * Each run's own color, except where two runs of the set share one: the run later in sorted order moves on to the
 * next unused color. The result does not depend on the order of `runIds`. Past the palette's size colors repeat.
 */
export function assignRunColors(runIds: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  const used = new Set<number>();
  for (const runId of [...new Set(runIds)].sort()) {
    if (used.size === RUN_PALETTE.length) used.clear();
    let index = runColorIndex(runId);
    while (used.has(index)) index = (index + 1) % RUN_PALETTE.length;
    used.add(index);
    colors.set(runId, RUN_PALETTE[index] as string);
  }
  return colors;
}

// The README code blocks a reader can paste as a file of their own app: a fenced block whose
// info string is `ts app` or `tsx app` (```tsx app). Blocks without the marker (fragments,
// tables of props) are not compiled.
const MARKER = /^```(tsx?) app\s*$/;

export function readmeBlocks(markdown: string): { ext: string; code: string }[] {
  const blocks: { ext: string; code: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = MARKER.exec(lines[i] ?? "");
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`unterminated block at line ${i + 1}`);
    blocks.push({ ext: open[1] ?? "ts", code: `${lines.slice(i + 1, end).join("\n")}\n` });
    i = end;
  }
  return blocks;
}

/** Columns padded to their widest cell, two spaces apart; the last column is never padded. Cells must already be terminal-safe. */
export function textTable(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

/** Plain-text tables for the listing commands: left-aligned columns two spaces apart. */
import { type CliIo, print } from './io.js';

export function printTable(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  print(io.stdout, line(header));
  for (const row of rows) print(io.stdout, line(row));
}

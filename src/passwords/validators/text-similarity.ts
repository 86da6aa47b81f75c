/**
 * How alike two strings are, from 0 (nothing in common) to 1 (equal):
 * twice the length of their longest common subsequence over their combined
 * length. It rewards shared characters in the same order, so `johnsmith1990`
 * scores 0.82 against `johnsmith` while `password` scores 0.22 against `a`.
 * Both arguments are arrays of code points, so an emoji counts once.
 */
export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  return (2 * longestCommonSubsequence(a, b)) / (a.length + b.length);
}

/**
 * The highest similarity two strings of these lengths could reach (when the
 * shorter is a subsequence of the longer): lets callers skip the quadratic
 * comparison when even that could not reach their threshold.
 */
export function similarityUpperBound(lengthA: number, lengthB: number): number {
  if (lengthA + lengthB === 0) return 1;
  return (2 * Math.min(lengthA, lengthB)) / (lengthA + lengthB);
}

/** Classic dynamic programme, keeping one row: O(|a|·|b|) time, O(|b|) memory. */
function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const charA of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = charA === b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1] ?? 0);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

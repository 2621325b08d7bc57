/**
 * "Did you mean --template?" for a mistyped long flag: the known flags closest to it by edit
 * distance (insertions, deletions, substitutions and swaps of neighbours), at most 3 edits away and
 * sharing more than 40% of the longer name. Only run when a flag is unknown.
 */
const MAX_DISTANCE = 3;
const MIN_SIMILARITY = 0.4;

/** ` (Did you mean --x?)`, ` (Did you mean one of --x, --y?)`, or '' when nothing is close. */
export function suggestFlag(flag: string, known: readonly string[]): string {
  if (!flag.startsWith('--')) return '';
  const word = flag.slice(2);
  let best = MAX_DISTANCE;
  let similar: string[] = [];
  for (const candidate of new Set(known.filter((k) => k.startsWith('--')).map((k) => k.slice(2)))) {
    if (candidate.length <= 1) continue;
    const distance = editDistance(word, candidate);
    const length = Math.max(word.length, candidate.length);
    if ((length - distance) / length <= MIN_SIMILARITY) continue;
    if (distance < best) [best, similar] = [distance, [candidate]];
    else if (distance === best) similar.push(candidate);
  }
  const names = similar.sort((a, b) => a.localeCompare(b)).map((name) => `--${name}`);
  if (names.length > 1) return ` (Did you mean one of ${names.join(', ')}?)`;
  return names.length === 1 ? ` (Did you mean ${names[0]}?)` : '';
}

/** Optimal string alignment distance: no part of the text is edited twice. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_DISTANCE) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let j = 1; j <= b.length; j++) {
    for (let i = 1; i <= a.length; i++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

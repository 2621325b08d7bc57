/**
 * Lays out --help: a usage line, a wrapped description, and lists of `term  description` items
 * whose descriptions wrap in a column beside the longest term. The layout is the one the CLI has
 * always printed (the conventional one of commander, which it once used): 80 columns, or the
 * terminal's width on a terminal.
 */

export interface HelpPage {
  readonly usage: string;
  readonly description: string;
  /** Headed lists, in order: `['Options:', [['-y, --yes', 'never prompt'], ...]]`. */
  readonly sections: ReadonlyArray<readonly [heading: string, items: ReadonlyArray<readonly [term: string, description: string]>]>;
}

const DEFAULT_WIDTH = 80;
/** Narrower than this, wrapping would make a column too thin to read: the text is left as it is. */
const MIN_WIDTH_TO_WRAP = 40;
const INDENT = '  ';
const GAP = '  ';

export function formatHelp(page: HelpPage, width: number = DEFAULT_WIDTH): string {
  const termWidth = Math.max(0, ...page.sections.flatMap(([, items]) => items.map(([term]) => term.length)));
  const descriptionWidth = width - termWidth - GAP.length - INDENT.length;
  const item = (term: string, description: string) => {
    const wrapped = descriptionWidth < MIN_WIDTH_TO_WRAP ? description : wrap(description, descriptionWidth);
    return `${INDENT}${term.padEnd(termWidth)}${GAP}${wrapped.replace(/\n/g, `\n${INDENT}${' '.repeat(termWidth)}${GAP}`)}`;
  };
  const lines = [`Usage: ${page.usage}`, '', wrap(page.description, width), ''];
  for (const [heading, items] of page.sections) lines.push(heading, ...items.map(([term, description]) => item(term, description)), '');
  return lines.join('\n');
}

/** Breaks each line at spaces so that it fits `width` (a longer word stays whole on its own line). */
export function wrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const words = line.match(/\s*\S+/g); // each word with the spaces before it
    if (!words) {
      out.push('');
      continue;
    }
    let current = words[0]!;
    for (const word of words.slice(1)) {
      if (current.length + word.length <= width) current += word;
      else {
        out.push(current);
        current = word.trimStart();
      }
    }
    out.push(current);
  }
  return out.join('\n');
}

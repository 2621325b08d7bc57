/**
 * A small POSIX-shell tokenizer for the scripts of Dockerfile `RUN` instructions.
 *
 * It does not expand anything: it splits a script into simple commands (lists of words, quotes
 * removed) and records the operators between them, which is what the Dockerfile rules need
 * ("is there a top-level pipe?", "does this RUN call `apt-get install` with `-y`?") without
 * resorting to regular expressions over the script text. Quoting (single, double, backslash),
 * line continuations, comments, `$(...)`/backticks and `(`/`)` grouping are understood.
 */

export type ShellOperator = '&&' | '||' | ';' | '|' | '|&' | '&' | '\n' | '(' | ')';

export interface ShellScript {
  /** Simple commands in order; each is its list of words with quotes removed. */
  readonly commands: readonly (readonly string[])[];
  /** Operators in order of appearance. */
  readonly operators: readonly ShellOperator[];
  /** True when a pipe (`|` or `|&`) appears outside quotes and substitutions. */
  readonly hasPipe: boolean;
}

export interface ParseShellOptions {
  /**
   * The script is one logical line (a shell-form `RUN` without heredoc): dockerfile-ast leaves a
   * newline after each comment line it kept inside a continued instruction, which Docker itself
   * drops, so a newline here is blank space rather than a command separator.
   */
  readonly oneLogicalLine?: boolean;
}

export function parseShell(script: string, options: ParseShellOptions = {}): ShellScript {
  const commands: string[][] = [];
  const operators: ShellOperator[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;

  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (op?: ShellOperator): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
    if (op) operators.push(op);
  };
  /** Copies a `$(...)` or `${...}` span verbatim into the current word; `i` is at the opening bracket. */
  const copyBalanced = (open: string, close: string): void => {
    let depth = 0;
    while (i < script.length) {
      const c = script[i]!;
      word += c;
      i++;
      if (c === '\\' && i < script.length) {
        word += script[i];
        i++;
      } else if (c === "'") {
        const end = script.indexOf("'", i);
        const stop = end === -1 ? script.length : end + 1;
        word += script.slice(i, stop);
        i = stop;
      } else if (c === open) depth++;
      else if (c === close && --depth === 0) return;
    }
  };

  while (i < script.length) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '\\') {
      if (next === '\n') {
        i += 2; // line continuation
        continue;
      }
      inWord = true;
      if (next !== undefined) word += next;
      i += 2;
      continue;
    }
    if (c === "'") {
      inWord = true;
      const end = script.indexOf("'", i + 1);
      const stop = end === -1 ? script.length : end;
      word += script.slice(i + 1, stop);
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      inWord = true;
      i++;
      while (i < script.length && script[i] !== '"') {
        const d = script[i]!;
        if (d === '\\' && i + 1 < script.length && '"\\$`\n'.includes(script[i + 1]!)) {
          if (script[i + 1] !== '\n') word += script[i + 1];
          i += 2;
        } else if (d === '$' && script[i + 1] === '(') {
          word += '$';
          i++;
          copyBalanced('(', ')');
        } else {
          word += d;
          i++;
        }
      }
      i++;
      continue;
    }
    if (c === '$' && (next === '(' || next === '{')) {
      inWord = true;
      word += '$';
      i++;
      copyBalanced(next, next === '(' ? ')' : '}');
      continue;
    }
    if (c === '`') {
      inWord = true;
      word += '`';
      i++;
      while (i < script.length && script[i] !== '`') {
        if (script[i] === '\\' && i + 1 < script.length) word += script[i++];
        word += script[i++];
      }
      word += '`';
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '\n' && options.oneLogicalLine) {
      endWord();
      i++;
      continue;
    }
    if (c === '\n') {
      endCommand('\n');
      i++;
      continue;
    }
    if (c === '&' && next === '&') {
      endCommand('&&');
      i += 2;
      continue;
    }
    if (c === '|' && next === '|') {
      endCommand('||');
      i += 2;
      continue;
    }
    if (c === '|' && next === '&') {
      endCommand('|&');
      i += 2;
      continue;
    }
    if (c === '|') {
      endCommand('|');
      i++;
      continue;
    }
    if (c === ';' || c === '&') {
      if (c === '&' && (next === '>' || script[i - 1] === '>')) {
        // `&>file`, `2>&1`: a redirection, part of the command
        inWord = true;
        word += c;
        i++;
        continue;
      }
      endCommand(c);
      i++;
      continue;
    }
    if ((c === '(' || c === ')') && !inWord) {
      endCommand(c);
      i++;
      continue;
    }
    inWord = true;
    word += c;
    i++;
  }
  endCommand();
  return { commands, operators, hasPipe: operators.some((op) => op === '|' || op === '|&') };
}

/**
 * The command a simple command runs, without leading variable assignments and transparent
 * wrappers (`env`, `sudo`, `command`, `exec`, `time`, `nice`): `['apt-get', 'install', ...]`.
 */
export function effectiveCommand(words: readonly string[]): readonly string[] {
  let k = 0;
  for (;;) {
    const w = words[k];
    if (w === undefined) return [];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) k++;
    else if (['env', 'sudo', 'command', 'exec', 'time', 'nice', 'nohup'].includes(w)) {
      k++;
      while (words[k]?.startsWith('-')) k++; // their own options (env -i, sudo -E, ...)
    } else return words.slice(k);
  }
}

/** `/usr/bin/apt-get` -> `apt-get`. */
export function commandName(words: readonly string[]): string {
  const first = words[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}

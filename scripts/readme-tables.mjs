// The README's Inputs and Outputs tables, generated from action.yml so the two never drift.
//
//   node scripts/readme-tables.mjs           rewrites the tables in README.md
//   node scripts/readme-tables.mjs --check   changes nothing; exits 1, saying what differs, when
//                                            README.md is not what action.yml generates (CI runs this)
//
// Each table sits between markers in README.md, `<!-- inputs:start -->` … `<!-- inputs:end -->` and
// `<!-- outputs:start -->` … `<!-- outputs:end -->`; everything outside them is left as written.
// Columns: Input | Default | Description, and Output | Description. A description is Markdown, as
// written in action.yml; its line breaks become spaces and a `|` is escaped for the table.
//
// The Default column: an input's `default:` in backticks. An input without one whose description
// starts with the sentence "Default: <text>." shows <text> there instead (and the sentence is left
// out of its Description): "Default: the `HOTLINE_API_KEY` environment variable." shows as
// `$HOTLINE_API_KEY`, any other <text> as written ("Default: the event's default message."). The
// sentence ends at the first ". " (or a final "."), so <text> must not contain ". ".
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const NOTE =
  '<!-- Generated from action.yml by scripts/readme-tables.mjs: edit the descriptions there, then run it. -->';
const TABLES = ['inputs', 'outputs'];

const markers = (table) => [`<!-- ${table}:start -->`, `<!-- ${table}:end -->`];

/** Text fit for one table cell: on one line, with `|` escaped (also inside code spans, as GFM wants). */
const cell = (text) => text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');

/** One table row; an empty cell is written `| |`. */
const row = (cells) => `|${cells.map((c) => (c ? ` ${c} ` : ' ')).join('|')}|`;

/** `text` as a code span, with a fence no backtick inside it can close. */
function code(text) {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** An input's Default cell and the description without its "Default: …." sentence. */
function inputDefault(name, spec) {
  const description = spec.description.replace(/\s+/g, ' ').trim();
  const sentence = /^Default: (.+?)\.(?: |$)/.exec(description);
  if (spec.default !== undefined) {
    if (sentence) throw new Error(`action.yml: input '${name}' has both a default and a "Default:" sentence; keep one`);
    return { defaultCell: code(String(spec.default)), description };
  }
  if (!sentence) return { defaultCell: '', description };
  const text = sentence[1];
  const env = /^the `([A-Za-z_][A-Za-z0-9_]*)` environment variable$/.exec(text);
  return { defaultCell: env ? code(`$${env[1]}`) : text, description: description.slice(sentence[0].length).trim() };
}

function entries(action, section) {
  const specs = action?.[section];
  if (!specs || typeof specs !== 'object') throw new Error(`action.yml has no ${section}`);
  return Object.entries(specs).map(([name, spec]) => {
    if (typeof spec?.description !== 'string' || !spec.description.trim()) {
      throw new Error(`action.yml: ${section.slice(0, -1)} '${name}' has no description`);
    }
    return [name, spec];
  });
}

/** The two tables (Markdown, without markers) for the text of action.yml. */
export function renderTables(actionYml) {
  const action = parse(actionYml);
  const inputs = ['| Input | Default | Description |', '| --- | --- | --- |'];
  for (const [name, spec] of entries(action, 'inputs')) {
    const { defaultCell, description } = inputDefault(name, spec);
    inputs.push(row([code(name), cell(defaultCell), cell(description)]));
  }
  const outputs = ['| Output | Description |', '| --- | --- |'];
  for (const [name, spec] of entries(action, 'outputs')) outputs.push(row([code(name), cell(spec.description)]));
  return { inputs: inputs.join('\n'), outputs: outputs.join('\n') };
}

/** Where a table's markers are in the README: each exactly once, start before end. */
function region(readme, table) {
  const [start, end] = markers(table);
  const count = (marker) => readme.split(marker).length - 1;
  if (count(start) !== 1 || count(end) !== 1) {
    throw new Error(`README.md must hold ${start} and ${end} once each (found ${count(start)} and ${count(end)})`);
  }
  const from = readme.indexOf(start) + start.length;
  const to = readme.indexOf(end);
  if (to < from) throw new Error(`README.md has ${end} before ${start}`);
  return { from, to };
}

/** The README with each table's region replaced by the generated table. */
export function updateReadme(readme, tables) {
  const eol = readme.includes('\r\n') ? '\r\n' : '\n';
  let text = readme;
  for (const table of TABLES) {
    const { from, to } = region(text, table);
    const body = [NOTE, tables[table]].join('\n').replace(/\n/g, eol);
    text = `${text.slice(0, from)}${eol}${body}${eol}${text.slice(to)}`;
  }
  return text;
}

/** Why the README is not what action.yml generates (naming the table and line), or undefined. */
export function readmeProblem(readme, tables) {
  const wanted = updateReadme(readme, tables);
  if (wanted === readme) return undefined;
  for (const table of TABLES) {
    const have = readme.slice(region(readme, table).from, region(readme, table).to).split(/\r?\n/);
    const want = wanted.slice(region(wanted, table).from, region(wanted, table).to).split(/\r?\n/);
    const i = have.findIndex((line, n) => line !== want[n]);
    const at = i < 0 ? Math.min(have.length, want.length) : i;
    if (i < 0 && have.length === want.length) continue;
    const line = readme.slice(0, region(readme, table).from).split('\n').length + at;
    return [
      `README.md is out of date: its ${table} table differs from action.yml at line ${line}.`,
      `  README.md:  ${have[at] ?? '(nothing)'}`,
      `  action.yml: ${want[at] ?? '(nothing)'}`,
    ].join('\n');
  }
  return 'README.md is out of date: its tables differ from action.yml.';
}

/** The command: returns the exit code (0 done or up to date, 1 out of date or broken, 2 bad usage). */
export function main(args, { root = ROOT, log = console.log, error = console.error } = {}) {
  const check = args.includes('--check');
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    error(`readme-tables: unknown argument ${unknown[0]}; usage: node scripts/readme-tables.mjs [--check]`);
    return 2;
  }
  const readmePath = join(root, 'README.md');
  try {
    const tables = renderTables(readFileSync(join(root, 'action.yml'), 'utf8'));
    const readme = readFileSync(readmePath, 'utf8');
    if (check) {
      const problem = readmeProblem(readme, tables);
      if (!problem) return 0;
      error(
        `${problem}\nRun 'node scripts/readme-tables.mjs' and commit README.md (edit descriptions in action.yml, not in README.md).`,
      );
      return 1;
    }
    const updated = updateReadme(readme, tables);
    if (updated === readme) {
      log('README.md: the inputs and outputs tables are up to date with action.yml.');
    } else {
      writeFileSync(readmePath, updated);
      log('README.md: the inputs and outputs tables were rewritten from action.yml.');
    }
    return 0;
  } catch (cause) {
    error(`readme-tables: ${cause instanceof Error ? cause.message : String(cause)}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

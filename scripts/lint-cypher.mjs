// Lints every *.cypher file of a folder (default: cypher/) with Neo4j's own Cypher parser and
// semantic analysis (@neo4j-cypher/language-support, installed by scripts/lint-cypher into
// .tools/cypher-lint/), as Cypher 5, against the package's bundled list of Neo4j 5 functions and
// procedures, so an unknown function or procedure is an error too. Plugin functions and
// procedures (apoc.*, gds.*) are left out of that list: the store runs on a plain Neo4j 5
// Community server.
//
// Beyond the parser it checks what the project asks of a statement file: a header comment
// saying what it does, a `Parameters:` line, every $parameter the statement uses declared in the
// header (and none declared that it does not use), and exactly one statement.
//
// Usage: node scripts/lint-cypher.mjs [folder]   exits 1 naming file:line of every problem.

import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..');
const tools = process.env.CYPHER_LINT_TOOLS ?? join(repo, '.tools', 'cypher-lint');
const require = createRequire(join(tools, 'package.json'));
const { lintCypherQuery, testData } = require('@neo4j-cypher/language-support');

const VERSION = 'CYPHER 5';
const PLUGINS = ['apoc.', 'gds.'];
const ERROR = 1;

function withoutPlugins(registry) {
  return Object.fromEntries(
    Object.entries(registry).filter(([name]) => !PLUGINS.some((p) => name.startsWith(p))),
  );
}

const bundled = testData.mockSchema;
const functions = withoutPlugins(bundled.functions[VERSION]);
const procedures = withoutPlugins(bundled.procedures[VERSION]);
if (Object.keys(functions).length < 50 || !procedures['db.awaitIndexes']) {
  console.error('lint-cypher: the bundled Neo4j 5 function and procedure list is missing');
  process.exit(2);
}

/** The leading comment block, and the parameters it declares (`//   $name: ...`). */
function readHeader(text) {
  const lines = text.split('\n');
  const header = [];
  for (const line of lines) {
    if (!line.startsWith('//')) break;
    header.push(line);
  }
  const declared = new Map();
  header.forEach((line, index) => {
    const match = /^\/\/\s+\$([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(line);
    if (match) declared.set(match[1], index + 1);
  });
  const hasParametersLine = header.some((line) => /^\/\/\s*Parameters:/.test(line));
  return { header, declared, hasParametersLine };
}

/** Parameters the statement itself uses: `$name` outside comments and string literals. */
function usedParameters(text) {
  const used = new Map();
  const code = text
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('\n')
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (s) => s.replace(/\$/g, ' '));
  for (const match of code.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const line = code.slice(0, match.index).split('\n').length;
    if (!used.has(match[1])) used.set(match[1], line);
  }
  return used;
}

function lintFile(path) {
  const text = readFileSync(path, 'utf8');
  const problems = [];
  const { header, declared, hasParametersLine } = readHeader(text);
  if (header.length === 0 || header[0].replace(/^\/\/\s*/, '').length === 0) {
    problems.push([1, 'no header comment saying what the statement does']);
  }
  if (!hasParametersLine) {
    problems.push([1, 'the header has no "Parameters:" line (write "Parameters: none")']);
  }
  const used = usedParameters(text);
  for (const [name, line] of declared) {
    if (!used.has(name)) problems.push([line, `$${name} is declared but never used`]);
  }
  const parameters = Object.fromEntries([...declared.keys()].map((name) => [name, null]));
  const schema = { functions: { [VERSION]: functions }, procedures: { [VERSION]: procedures },
    parameters, defaultLanguage: VERSION };
  const { diagnostics, symbolTables } = lintCypherQuery(text, schema);
  if (symbolTables.length !== 1) {
    problems.push([1, `holds ${symbolTables.length} statements; a file holds exactly one`]);
  }
  for (const diagnostic of diagnostics) {
    const kind = diagnostic.severity === ERROR ? 'error' : 'warning';
    const line = diagnostic.range.start.line + 1;
    const column = diagnostic.range.start.character + 1;
    const undeclared = /^Parameter \$(\S+) is not defined\.$/.exec(diagnostic.message);
    const message = undeclared
      ? `$${undeclared[1]} is used but not declared in the header's Parameters`
      : diagnostic.message;
    problems.push([line, `${kind}: ${message} (column ${column})`]);
  }
  return problems.sort((x, y) => x[0] - y[0]);
}

const folder = resolve(process.argv[2] ?? join(repo, 'cypher'));
if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(`lint-cypher: ${folder} is not a folder`);
  process.exit(2);
}
const files = readdirSync(folder).filter((name) => name.endsWith('.cypher')).sort();
if (files.length === 0) {
  console.error(`lint-cypher: no .cypher files in ${folder}`);
  process.exit(2);
}

let failed = 0;
for (const name of files) {
  const path = join(folder, name);
  const problems = lintFile(path);
  if (problems.length > 0) failed += 1;
  const shown = relative(process.cwd(), path) || path;
  for (const [line, message] of problems) console.log(`${shown}:${line}: ${message}`);
}
console.log(
  `lint-cypher: ${files.length} files, ${files.length - failed} clean, ${failed} with problems`,
);
process.exit(failed > 0 ? 1 : 0);

// Lint Cypher statements with Neo4j's own Cypher front end (@neo4j-cypher/language-support).
//
// stdin:  JSON [{"name": str, "query": str, "params": {name: value}?,
//                "labels": [str]?, "relationshipTypes": [str]?}]
// stdout: JSON [{"name": str, "diagnostics": [{"severity", "message", "line", "column"}]}]
// Exit status: 0 when the input was read and linted (diagnostics or not), 2 on bad input.
import { createRequire } from 'node:module';

// The package's ESM build uses extension-less imports that Node cannot resolve; its CJS build works.
const require = createRequire(import.meta.url);
const { lintCypherQuery } = require('@neo4j-cypher/language-support');

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function schemaFor(item) {
  const schema = { parameters: item.params ?? {} };
  if (item.labels) schema.labels = item.labels;
  if (item.relationshipTypes) schema.relationshipTypes = item.relationshipTypes;
  return schema;
}

function lint(item) {
  const diagnostics = lintCypherQuery(item.query, schemaFor(item)).map((d) => ({
    severity: SEVERITY[d.severity] ?? String(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  }));
  return { name: item.name, diagnostics };
}

let items;
try {
  items = JSON.parse(await readStdin());
  if (!Array.isArray(items)) throw new Error('expected a JSON array of {name, query, params}');
} catch (e) {
  process.stderr.write(`lint.mjs: bad input: ${e.message}\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(items.map(lint)) + '\n');

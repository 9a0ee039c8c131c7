// Validate an AsyncAPI document with the official parser: `node validate.mjs doc.json`.
// Prints one JSON line {valid, asyncapi, channels, operations, messages, diagnostics} and
// exits 1 when the parser reports an error (severity 0) or cannot build the document.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const path = process.argv[2];
if (!path) {
  console.error("usage: node validate.mjs <asyncapi.json>");
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(path, "utf8"));
const errors = diagnostics.filter((d) => d.severity === 0);
const summary = {
  valid: document !== undefined && errors.length === 0,
  asyncapi: document?.version(),
  channels: document ? document.channels().all().map((c) => c.address()) : [],
  operations: document ? document.operations().all().map((o) => o.id()) : [],
  messages: document ? document.components().messages().all().map((m) => m.id()) : [],
  diagnostics: diagnostics.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    path: d.path.join("."),
  })),
};
console.log(JSON.stringify(summary));
process.exit(summary.valid ? 0 : 1);

// Validates an AsyncAPI document with the official parser (@asyncapi/parser, pinned in
// package.json): `node validate-asyncapi.mjs <file>`. Prints every diagnostic as one JSON line
// each and exits 1 when one of them is an error (severity 0).
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const [path] = process.argv.slice(2);
if (!path) {
  console.error("usage: node validate-asyncapi.mjs <asyncapi.json>");
  process.exit(2);
}
const diagnostics = await new Parser().validate(await readFile(path, "utf8"));
for (const { code, message, path: where, severity } of diagnostics) {
  console.log(JSON.stringify({ severity, code, message, path: where }));
}
process.exit(diagnostics.some((diagnostic) => diagnostic.severity === 0) ? 1 : 0);

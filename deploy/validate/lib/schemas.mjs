// Schema validation against real specifications:
//  - core Kubernetes objects: kubernetes-models, whose validators are generated from the Kubernetes OpenAPI spec;
//  - Strimzi and CloudNativePG resources: ajv against the openAPIV3Schema of the served version in each CRD;
//  - the compose file: ajv (draft-07) against the Compose specification's JSON schema.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import YAML from "yaml";

const require = createRequire(import.meta.url);

/** One line per ajv error: "/spec/partitions: must be integer". */
export function formatAjvErrors(errors) {
  return (errors || []).map((e) => {
    const where = e.instancePath || "/";
    if (e.keyword === "additionalProperties") return `${where}: unknown field "${e.params.additionalProperty}"`;
    if (e.keyword === "enum") return `${where}: must be one of ${e.params.allowedValues.join(", ")}`;
    return `${where}: ${e.message}`;
  });
}

// ---- core Kubernetes objects -------------------------------------------------------------------------

/** The kubernetes-models class for apiVersion/kind, or null if the package has none (an unknown kind). */
function coreModel(apiVersion, kind) {
  try {
    return require(`kubernetes-models/${apiVersion.includes("/") ? apiVersion : "v1"}/${kind}`)[kind] || null;
  } catch {
    return null;
  }
}

export function isCoreKind(apiVersion, kind) {
  return coreModel(apiVersion, kind) !== null;
}

/** Errors of a core object (empty when valid). Model.validate() throws an error carrying ajv's errors. */
export function validateCore(obj) {
  const Model = coreModel(obj.apiVersion, obj.kind);
  if (!Model) return [`${obj.apiVersion} ${obj.kind} is not a Kubernetes API kind`];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return e.errors ? formatAjvErrors(e.errors) : [String(e.message || e)];
  }
}

// ---- custom resources -------------------------------------------------------------------------------

/**
 * Kubernetes structural schemas prune unknown fields, and kubectl (field validation "Strict" by default
 * since 1.27) rejects them. ajv would accept them, so every object schema that lists properties and neither
 * allows extra ones nor carries x-kubernetes-preserve-unknown-fields gets additionalProperties: false.
 */
function strictify(schema) {
  if (!schema || typeof schema !== "object") return schema;
  if (Array.isArray(schema)) return schema.map(strictify);
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strictify(s)])) : strictify(v);
  }
  if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * CRD patterns are Go regular expressions (RE2), which may open with flags such as (?i), as the Prometheus
 * Operator's do; JavaScript takes those as flags of the RegExp instead.
 */
function goRegExp(pattern, flags) {
  const m = /^(\^?)\(\?([imsU]+)\)/.exec(pattern); // "(?i)..." or "^(?i)..."
  if (!m) return new RegExp(pattern, flags);
  const goFlags = m[2];
  return new RegExp(m[1] + pattern.slice(m[0].length),
    flags + (goFlags.includes("i") ? "i" : "") + (goFlags.includes("s") ? "s" : "") + (goFlags.includes("m") ? "m" : ""));
}

function kubeAjv() {
  // strict: false because CRD schemas carry Kubernetes' x-kubernetes-* extension keywords.
  const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: goRegExp } });
  addFormats(ajv);
  // OpenAPI formats Kubernetes uses that ajv-formats does not define.
  ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n) => Number.isInteger(n) });
  ajv.addFormat("double", { type: "number", validate: () => true });
  ajv.addFormat("float", { type: "number", validate: () => true });
  ajv.addFormat("byte", { type: "string", validate: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) });
  ajv.addFormat("quantity", true);
  return ajv;
}

/** Loads CRD files; returns a map "group/version Kind" -> { validate, file }. Only served versions count. */
const crdCache = new Map(); // compiling the CRD schemas takes a second; the self-test reuses them
export function loadCrds(files) {
  const cacheKey = files.join("\n");
  if (crdCache.has(cacheKey)) return crdCache.get(cacheKey);
  const ajv = kubeAjv();
  const byKind = new Map();
  for (const file of files) {
    const crd = YAML.parse(fs.readFileSync(file, "utf8"));
    if (crd?.kind !== "CustomResourceDefinition") throw new Error(`${file} is not a CustomResourceDefinition`);
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const schema = strictify(v.schema.openAPIV3Schema);
      // metadata is validated as a Kubernetes ObjectMeta below, as the API server does.
      if (schema.properties?.metadata) schema.properties.metadata = { type: "object" };
      byKind.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, { validate: ajv.compile(schema), file: path.basename(file) });
    }
  }
  crdCache.set(cacheKey, byKind);
  return byKind;
}

const { ObjectMeta } = require("@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta");

export function validateCustom(crds, obj) {
  const entry = crds.get(`${obj.apiVersion} ${obj.kind}`);
  if (!entry) {
    const served = [...crds.keys()].filter((k) => k.endsWith(` ${obj.kind}`)).map((k) => k.split(" ")[0]);
    return [`no served CRD version for ${obj.apiVersion} ${obj.kind}` + (served.length ? ` (served: ${served.join(", ")})` : "")];
  }
  const errors = entry.validate(obj) ? [] : formatAjvErrors(entry.validate.errors);
  try {
    new ObjectMeta(obj.metadata || {}).validate();
  } catch (e) {
    errors.push(...(e.errors ? formatAjvErrors(e.errors).map((m) => "/metadata" + (m.startsWith("/:") ? m.slice(1) : m)) : [String(e)]));
  }
  if (!obj.metadata?.name) errors.push("/metadata: must have required property 'name'");
  return errors;
}

// ---- compose ----------------------------------------------------------------------------------------

const composeCache = new Map();
export function composeValidator(schemaFile) {
  if (!composeCache.has(schemaFile)) composeCache.set(schemaFile, compileCompose(schemaFile));
  return composeCache.get(schemaFile);
}

function compileCompose(schemaFile) {
  // The Compose schema is draft-07 and uses "format": "duration" etc.; strict: false tolerates its
  // annotations (e.g. "deprecated") the same way docker compose's own validator does.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
  // ajv knows draft-07 by its canonical id only; the spec writes it as https://json-schema.org/draft-07/schema.
  if (!/draft-07/.test(schema.$schema || "")) throw new Error(`${schemaFile}: expected a draft-07 schema, got ${schema.$schema}`);
  delete schema.$schema;
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : formatAjvErrors(validate.errors));
}

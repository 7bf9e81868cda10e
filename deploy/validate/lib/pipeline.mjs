// Everything the validator checks, for one tree of deployment files (the real one, or a broken copy in the
// self-test). Returns [checkName, errors[]] pairs; an empty errors list is a pass.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { composeValidator, isCoreKind, loadCrds, validateCore, validateCustom } from "./schemas.mjs";
import { kustomizeAll } from "./tools.mjs";
import { readMetrics, readServices, readTopics } from "./services.mjs";
import { crossCheckBuild } from "./crosscheck-kube.mjs";
import { composeImages, crossCheckCompose } from "./crosscheck-compose.mjs";

export const CRD_FILES = [
  "strimzi/040-Crd-kafka.yaml",
  "strimzi/043-Crd-kafkatopic.yaml",
  "strimzi/044-Crd-kafkauser.yaml",
  "strimzi/045-Crd-kafkanodepool.yaml",
  "cloudnative-pg/postgresql.cnpg.io_clusters.yaml",
  "keda/keda.sh_scaledobjects.yaml",
  "keda/keda.sh_triggerauthentications.yaml",
  "prometheus-operator/monitoring.coreos.com_servicemonitors.yaml",
  "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml",
];
export const COMPOSE_SCHEMA = "compose/compose-spec.json";

/** Parses a YAML stream; throws with the file name and YAML's message on a syntax error. */
export function parseYamlStream(text, file) {
  const docs = YAML.parseAllDocuments(text);
  for (const d of docs) if (d.errors.length) throw new Error(`${file}: YAML: ${d.errors[0].message.split("\n")[0]}`);
  return docs.map((d) => d.toJS()).filter((o) => o && typeof o === "object");
}

/**
 * Kustomization directories under deployDir: the base, the components and each overlay. All are built and
 * schema-checked; only overlays (what an operator applies) are cross-checked as a whole deployment.
 */
export function kustomizations(deployDir) {
  const dirs = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === "node_modules" || e.name.startsWith(".")) continue;
      const sub = path.join(dir, e.name);
      if (fs.existsSync(path.join(sub, "kustomization.yaml"))) dirs.push(sub);
      walk(sub);
    }
  };
  walk(deployDir);
  return dirs.sort();
}

/** kind/name -> source file (relative to the repo), to tell which file a failing object comes from. */
function sourceIndex(deployDir, repoRoot) {
  const index = new Map();
  for (const dir of kustomizations(deployDir)) {
    for (const f of fs.readdirSync(dir, { recursive: true })) {
      if (!/\.ya?ml$/.test(f) || path.basename(f) === "kustomization.yaml") continue;
      try {
        for (const o of parseYamlStream(fs.readFileSync(path.join(dir, f), "utf8"), f)) {
          index.set(`${o.kind}/${o.metadata?.name}`, path.relative(repoRoot, path.join(dir, f)));
        }
      } catch { /* reported by the build */ }
    }
  }
  return index;
}

export function validateAll({ repoRoot, deployDir, composeFile, schemasDir, kubectl }) {
  const results = [];
  const rel = (p) => path.relative(repoRoot, p) || ".";
  const services = readServices(repoRoot);
  const topics = readTopics(repoRoot);
  const metrics = readMetrics(repoRoot);
  const crds = loadCrds(CRD_FILES.map((f) => path.join(schemasDir, f)));

  // docker-compose.yml: the Compose specification, then the cross-checks.
  let images = null;
  {
    let doc = null;
    const errors = [];
    try {
      [doc] = parseYamlStream(fs.readFileSync(composeFile, "utf8"), rel(composeFile));
      errors.push(...composeValidator(path.join(schemasDir, COMPOSE_SCHEMA))(doc).map((e) => `${rel(composeFile)}: ${e}`));
    } catch (e) {
      errors.push(e.message);
    }
    results.push([`${rel(composeFile)} against the Compose specification`, errors]);
    if (doc) {
      images = composeImages(doc);
      results.push(...crossCheckCompose(doc, path.dirname(composeFile), { services, topics }));
    }
  }

  // Kubernetes: every kustomization builds; every object it yields passes its schema; then the cross-checks.
  const sources = sourceIndex(deployDir, repoRoot);
  const dirs = kustomizations(deployDir);
  const builds = kustomizeAll(kubectl, dirs);
  for (const dir of dirs) {
    const name = rel(dir);
    let objs;
    try {
      const built = builds.get(dir);
      if (built.error !== undefined) throw new Error(built.error);
      objs = parseYamlStream(built.output, name);
      results.push([`kustomize build ${name}`, []]);
    } catch (e) {
      results.push([`kustomize build ${name}`, [`${name}: ${e.message}`]]);
      continue;
    }
    for (const o of objs) {
      const id = `${o.kind}/${o.metadata?.name}`;
      const custom = !isCoreKind(o.apiVersion || "", o.kind || "");
      const errors = custom ? validateCustom(crds, o) : validateCore(o);
      const from = `${sources.get(id) || name} (${id}, as built by ${name})`;
      results.push([`${name}: ${id} against ${custom ? "its CRD's openAPIV3Schema" : "the Kubernetes API schema"}`, errors.map((e) => `${from}: ${e}`)]);
    }
    if (path.basename(path.dirname(dir)) !== "overlays") continue;
    for (const [check, errors] of crossCheckBuild(objs, { services, topics, composeImages: images, metrics })) {
      results.push([`${name}: ${check}`, errors.map((e) => `${name}: ${e}`)]);
    }
  }
  return results;
}

// Cross-checks of docker-compose.yml against the services' configuration and Topics.java.
import fs from "node:fs";
import path from "node:path";
import { readsVariable, requiredVariables } from "./services.mjs";

/** environment as a map, whether written as a mapping or as a list of NAME=value. */
function environment(service) {
  const env = service.environment || {};
  if (!Array.isArray(env)) return new Map(Object.entries(env).map(([k, v]) => [k, v == null ? v : String(v)]));
  return new Map(env.map((e) => { const i = e.indexOf("="); return i < 0 ? [e, null] : [e.slice(0, i), e.slice(i + 1)]; }));
}

const commandText = (c) => (Array.isArray(c) ? c.join(" ") : String(c || ""));

/** ferry service name -> image (ferry/<name>:<tag>) as compose names it. */
export function composeImages(doc) {
  return new Map(Object.entries(doc.services || {}).filter(([, s]) => /^ferry\//.test(s.image || "")).map(([n, s]) => [n, s.image]));
}

export function crossCheckCompose(doc, baseDir, { services, topics }) {
  const results = [];
  const svcs = doc.services || {};

  // Topics: the kafka-init job creates exactly the topics of Topics.java.
  {
    const errors = [];
    const created = new Map();
    for (const [, s] of Object.entries(svcs)) {
      const text = commandText(s.command) + " " + commandText(s.entrypoint);
      for (const m of text.matchAll(/--create\b[^\n]*?--topic\s+(\S+)(?:[^\n]*?--partitions\s+(\d+))?/g)) created.set(m[1], Number(m[2] || 0));
    }
    for (const t of topics) if (!created.has(t)) errors.push(`docker-compose.yml: topic ${t} (Topics.java) is not created by the init job`);
    for (const t of created.keys()) if (!topics.includes(t)) errors.push(`docker-compose.yml: creates topic ${t}, which Topics.java does not declare`);
    for (const [t, p] of created) if (!(p >= 1)) errors.push(`docker-compose.yml: topic ${t} is created without --partitions`);
    const kafka = Object.values(svcs).find((s) => /apache\/kafka/.test(s.image || "") && s.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE !== undefined);
    if (!kafka || String(kafka.environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE) !== "false") errors.push("docker-compose.yml: the broker must set KAFKA_AUTO_CREATE_TOPICS_ENABLE=false, so that only the declared topics exist");
    results.push(["compose: topics = Topics.java", errors]);
  }

  // PostgreSQL: which compose service runs it, and which databases it creates.
  const pgName = Object.keys(svcs).find((n) => /^postgres(:|$)/.test(svcs[n].image || ""));
  const databases = new Set();
  if (pgName) {
    const pg = svcs[pgName];
    databases.add(environment(pg).get("POSTGRES_DB") || environment(pg).get("POSTGRES_USER") || "postgres");
    for (const v of pg.volumes || []) {
      const src = typeof v === "string" ? v.split(":")[0] : v.source;
      const file = src && path.resolve(baseDir, src);
      if (file && /\.sql$/.test(file) && fs.existsSync(file)) {
        for (const m of fs.readFileSync(file, "utf8").matchAll(/create\s+database\s+"?([\w-]+)"?/gi)) databases.add(m[1]);
      }
    }
  }
  // PostgreSQL's healthcheck: over TCP (the image's init server listens on the Unix socket only, before the init
  // scripts have created every database), for a database the init script creates, so healthy means initialised.
  if (pgName) {
    const errors = [];
    const hc = commandText(svcs[pgName].healthcheck?.test);
    if (!/pg_isready/.test(hc)) errors.push(`docker-compose.yml: ${pgName} needs a pg_isready healthcheck`);
    else {
      const host = /(?:-h|--host)[\s=]+(\S+)/.exec(hc)?.[1];
      if (!host || host.startsWith("/")) errors.push(`docker-compose.yml: ${pgName}'s healthcheck must ask over TCP (pg_isready -h 127.0.0.1): the Unix socket answers while the init scripts still run`);
      const db = /(?:-d|--dbname)[\s=]+(\S+)/.exec(hc)?.[1];
      const created = [...databases].slice(1);
      if (created.length && !created.includes(db)) errors.push(`docker-compose.yml: ${pgName}'s healthcheck asks ${db}; ask a database the init script creates (${created.join(", ")})`);
    }
    results.push([`compose: ${pgName} is healthy only once initialised`, errors]);
  }
  // Kafka: host:port of the advertised PLAINTEXT listeners other containers use.
  const bootstraps = new Set();
  for (const [n, s] of Object.entries(svcs)) {
    const env = environment(s);
    const adv = env.get("KAFKA_ADVERTISED_LISTENERS");
    if (!adv) continue;
    const map = new Map((env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP") || "").split(",").map((x) => x.split(":")));
    for (const l of adv.split(",")) {
      const m = /^(\w+):\/\/([^:]+):(\d+)$/.exec(l.trim());
      if (m && (map.get(m[1]) || m[1]) === "PLAINTEXT" && (m[2] === n || m[2] === s.hostname)) bootstraps.add(`${m[2]}:${m[3]}`);
    }
  }

  for (const svc of services) {
    const errors = [];
    const s = svcs[svc.name];
    const where = `docker-compose.yml: ${svc.name}`;
    if (!s) { results.push([`compose: ${svc.name}`, [`docker-compose.yml has no service ${svc.name}`]]); continue; }
    if (s.image !== `ferry/${svc.name}:0.1.0`) errors.push(`${where}: image ${s.image}, expected ferry/${svc.name}:0.1.0`);
    // Ferry's images come from the Maven build (Jib, images/), which checks their ports and user; a compose build
    // would need a Dockerfile that says the same things a second time.
    if (s.build !== undefined) errors.push(`${where}: has build:, but Ferry's images are built by Jib (./ferry images, docs/DEPLOY.md), not from a Dockerfile`);
    for (const p of s.ports || []) {
      const target = typeof p === "object" ? p.target : Number(String(p).split(":").pop().split("/")[0]);
      if (target !== svc.port) errors.push(`${where}: publishes container port ${target}, but ${svc.name} listens on ${svc.port}`);
    }
    const hc = commandText(s.healthcheck?.test);
    if (!hc.includes(String(svc.managementPort)) || !hc.includes("/q/health/ready")) errors.push(`${where}: healthcheck must ask /q/health/ready on the management port ${svc.managementPort}`);
    // A memory limit: the image sizes the heap from it (MaxRAMPercentage); without one the JVM sizes itself from the
    // whole machine and a busy service can take the host's memory.
    if (!s.mem_limit && !s.deploy?.resources?.limits?.memory) errors.push(`${where}: no memory limit (mem_limit); the heap is a share of it`);

    const env = environment(s);
    for (const v of env.keys()) {
      if (!readsVariable(svc, v)) errors.push(`${where}: sets ${v}, which ${svc.name} does not read (no property of its application.properties or config mappings, nor a Quarkus, Kafka client or JVM variable)`);
    }
    for (const v of requiredVariables(svc)) if (!env.has(v)) errors.push(`${where}: ${v} is not set (its default points at localhost or a local setting)`);
    if (env.has(svc.portVariable) && Number(env.get(svc.portVariable)) !== svc.port) errors.push(`${where}: ${svc.portVariable}=${env.get(svc.portVariable)}, but ${svc.port} is published and probed`);
    const deps = s.depends_on || {};
    const dep = (n) => (Array.isArray(deps) ? (deps.includes(n) ? {} : null) : deps[n]);
    if (svc.database) {
      if (env.get("FERRY_DB_HOST") !== pgName) errors.push(`${where}: FERRY_DB_HOST=${env.get("FERRY_DB_HOST")}, the PostgreSQL service is ${pgName}`);
      if (env.get("FERRY_DB_PORT") !== "5432") errors.push(`${where}: FERRY_DB_PORT=${env.get("FERRY_DB_PORT")}, PostgreSQL listens on 5432`);
      const db = env.get(svc.database.variable);
      if (db !== svc.database.name || !databases.has(db)) errors.push(`${where}: ${svc.database.variable}=${db}; the service's database is ${svc.database.name}, compose creates ${[...databases].join(", ")}`);
      if (dep(pgName)?.condition !== "service_healthy") errors.push(`${where}: depends_on ${pgName} needs condition service_healthy`);
    }
    if (svc.variables.has("FERRY_KAFKA_BOOTSTRAP") && !bootstraps.has(env.get("FERRY_KAFKA_BOOTSTRAP"))) {
      errors.push(`${where}: FERRY_KAFKA_BOOTSTRAP=${env.get("FERRY_KAFKA_BOOTSTRAP")} is no advertised PLAINTEXT listener (${[...bootstraps].join(", ")})`);
    }
    const initName = Object.keys(svcs).find((n) => /--create/.test(commandText(svcs[n].command)));
    if (initName && dep(initName)?.condition !== "service_completed_successfully") errors.push(`${where}: depends_on ${initName} needs condition service_completed_successfully`);
    if (env.has("FERRY_INVENTORY_URL")) {
      const inv = services.find((x) => x.name === "inventory-service");
      if (env.get("FERRY_INVENTORY_URL") !== `http://${inv.name}:${inv.port}`) errors.push(`${where}: FERRY_INVENTORY_URL=${env.get("FERRY_INVENTORY_URL")}, expected http://${inv.name}:${inv.port}`);
      if (dep(inv.name)?.condition !== "service_healthy") errors.push(`${where}: depends_on ${inv.name} needs condition service_healthy`);
    }
    results.push([`compose: ${svc.name} image, ports, env and dependencies match the service`, errors]);
  }
  return results;
}


// What the services actually read and use, parsed from their own sources (never restated by hand):
// each module's src/main/resources/application.properties and the topic names in Topics.java.
import fs from "node:fs";
import path from "node:path";

export const SERVICES = ["inventory-service", "scheduler-service", "migration-worker"];
export const TOPICS_JAVA = "migration-events/src/main/java/dev/ferry/events/Topics.java";

/** key -> value of a .properties file; profile-specific keys (%test.…) are left out: they never run deployed. */
export function parseProperties(text) {
  const props = new Map();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("!") || line.startsWith("%")) continue;
    const i = line.search(/[=:]/);
    if (i < 0) continue;
    props.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return props;
}

/** FERRY_* variables referenced as ${NAME:default} anywhere in the values, with their defaults. */
function ferryVariables(props) {
  const vars = new Map();
  for (const value of props.values()) {
    for (const m of value.matchAll(/\$\{(FERRY_[A-Z0-9_]+)(?::([^}]*))?\}/g)) vars.set(m[1], m[2] ?? null);
  }
  return vars;
}

function expression(value, what) {
  const m = /^\$\{(FERRY_[A-Z0-9_]+):([^}]*)\}$/.exec(value || "");
  if (!m) throw new Error(`${what} is not of the form \${FERRY_…:default}: ${value}`);
  return { variable: m[1], value: m[2] };
}

/** The facts of one service module that deployments must match. */
export function readService(repoRoot, module) {
  const file = path.join(repoRoot, module, "src/main/resources/application.properties");
  const props = parseProperties(fs.readFileSync(file, "utf8"));
  const name = props.get("quarkus.application.name");
  const port = expression(props.get("quarkus.http.port"), `${module}: quarkus.http.port`);
  // health and metrics: the management interface, on a port of its own that no Service or ingress exposes
  const management = expression(props.get("quarkus.management.port"), `${module}: quarkus.management.port`);
  const svc = {
    module,
    name,
    port: Number(port.value),
    portVariable: port.variable,
    managementPort: Number(management.value),
    managementPortVariable: management.variable,
    variables: ferryVariables(props),
    properties: readableProperties(repoRoot, module, props),
    database: null,
    consumes: [], // { channel, topic, group, dlq }
    produces: [], // { channel, topic }
  };
  const jdbc = props.get("quarkus.datasource.jdbc.url");
  if (jdbc) {
    const m = /\/\$\{(FERRY_[A-Z0-9_]+):([^}]*)\}$/.exec(jdbc);
    if (!m) throw new Error(`${module}: cannot read the database name from ${jdbc}`);
    svc.database = { variable: m[1], name: m[2] };
  }
  // SmallRye Reactive Messaging channels on the Kafka connector; the topic defaults to the channel name.
  for (const [key, value] of props) {
    const m = /^mp\.messaging\.(incoming|outgoing)\.([^.]+)\.connector$/.exec(key);
    if (!m || value !== "smallrye-kafka") continue;
    const [, direction, channel] = m;
    const at = (k) => props.get(`mp.messaging.${direction}.${channel}.${k}`);
    const topic = at("topic") || channel;
    if (direction === "outgoing") {
      svc.produces.push({ channel, topic });
    } else {
      const dlq = at("failure-strategy") === "dead-letter-queue" ? at("dead-letter-queue.topic") || `dead-letter-topic-${channel}` : null;
      // Without group.id the connector uses the application name.
      svc.consumes.push({ channel, topic, group: at("group.id") || name, dlq });
    }
  }
  // The outbox relay (module messaging) writes every topic of ferry.messaging.outbox-topics through its channel.
  const outboxTopics = props.get("ferry.messaging.outbox-topics");
  if (outboxTopics) {
    for (const topic of outboxTopics.split(",").map((t) => t.trim()).filter(Boolean)) {
      if (!svc.produces.some((p) => p.topic === topic)) svc.produces.push({ channel: "outbox", topic });
    }
  }
  return svc;
}

/** Ferry modules whose code a service runs besides its own: the ones its pom depends on. */
export const LIBRARY_MODULES = ["messaging", "service-support"];

/**
 * The names of the ferry.* properties of every @ConfigMapping interface in a module's sources: the prefix and
 * each method in kebab case (SmallRye's default naming), e.g. ferry.worker.max-concurrent-migrations.
 */
export function configMappingProperties(moduleDir) {
  const names = [];
  const src = path.join(moduleDir, "src/main/java");
  if (!fs.existsSync(src)) return names;
  for (const f of fs.readdirSync(src, { recursive: true })) {
    if (!f.endsWith(".java")) continue;
    const text = fs.readFileSync(path.join(src, f), "utf8");
    const m = /@ConfigMapping\(\s*prefix\s*=\s*"([^"]+)"/.exec(text);
    if (!m) continue;
    for (const method of text.matchAll(/^\s+[\w<>, .?]+\s+(\w+)\(\);/gm)) {
      names.push(`${m[1]}.${method[1].replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`);
    }
  }
  return names;
}

/** Every property a service reads: its application.properties and the config mappings of its code and libraries. */
function readableProperties(repoRoot, module, props) {
  const names = new Set(props.keys());
  const pom = fs.readFileSync(path.join(repoRoot, module, "pom.xml"), "utf8");
  const modules = [module, ...LIBRARY_MODULES.filter((l) => pom.includes(`<artifactId>${l}</artifactId>`))];
  for (const m of modules) for (const n of configMappingProperties(path.join(repoRoot, m))) names.add(n);
  return names;
}

/** The environment variable that sets a property (MicroProfile Config: non-alphanumerics to _, upper case). */
export function environmentName(property) {
  return property.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();
}

/**
 * Whether setting environment variable v changes what a service does, and so may appear in a deployment: a FERRY_*
 * variable its application.properties reads, the environment form of any property it reads (FERRY_WORKER_POLICY
 * for ferry.worker.policy, MP_MESSAGING_… for a channel of its own), any QUARKUS_* (Quarkus' own settings, such as
 * QUARKUS_LOG_LEVEL or QUARKUS_SHUTDOWN_TIMEOUT: too many to list, and Quarkus warns at start about a key no
 * extension reads), and the Kafka client and JVM variables below. A misspelt FERRY_ or MP_ variable is refused.
 */
export function readsVariable(svc, v) {
  if (svc.variables.has(v) || OTHER_VARIABLES.has(v) || v.startsWith("QUARKUS_")) return true;
  for (const p of svc.properties) if (environmentName(p) === v) return true;
  return false;
}

export function readServices(repoRoot) {
  return SERVICES.map((m) => readService(repoRoot, m));
}

/** The series Prometheus gets from a Micrometer meter of each kind (base unit seconds for timers). */
const SERIES = {
  gauge: [""],
  counter: ["_total"],
  timer: ["_seconds_bucket", "_seconds_count", "_seconds_sum", "_seconds_max"],
  summary: ["_bucket", "_count", "_sum", "_max"],
};

/**
 * The Prometheus series of the metrics Ferry's code registers (Micrometer: registry.gauge(...)/counter(...),
 * Gauge/Counter/Timer/DistributionSummary.builder(...) with a literal name; dots become underscores), from the
 * services' sources and the library modules' (LIBRARY_MODULES).
 */
export function readMetrics(repoRoot) {
  const names = new Set();
  const kindOf = { gauge: "gauge", counter: "counter", Gauge: "gauge", Counter: "counter", Timer: "timer", DistributionSummary: "summary" };
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith(".java")) {
        for (const m of fs.readFileSync(f, "utf8").matchAll(/\b(?:(gauge|counter)|(Gauge|Counter|Timer|DistributionSummary)\.builder)\(\s*"(ferry[._][\w.]+)"/g)) {
          for (const suffix of SERIES[kindOf[m[1] || m[2]]]) names.add(m[3].replaceAll(".", "_") + suffix);
        }
      }
    }
  };
  for (const m of [...SERVICES, ...LIBRARY_MODULES]) walk(path.join(repoRoot, m, "src/main/java"));
  return names;
}

/** Topic names declared in Topics.java (public static final String X = "name";). */
export function readTopics(repoRoot) {
  const text = fs.readFileSync(path.join(repoRoot, TOPICS_JAVA), "utf8");
  const topics = [...text.matchAll(/static\s+final\s+String\s+\w+\s*=\s*"([^"]+)"\s*;/g)].map((m) => m[1]);
  if (topics.length === 0) throw new Error(`${TOPICS_JAVA}: no topic constants found`);
  return topics;
}

/**
 * The Kafka ACLs a service needs, as a Set of "type:name:Operation": consuming a topic needs Read and
 * Describe on it and Read on the group; producing (outgoing channels and dead-letter queues) Write and Describe.
 */
export function requiredAcls(svc) {
  const acls = new Set();
  for (const c of svc.consumes) {
    acls.add(`topic:${c.topic}:Read`).add(`topic:${c.topic}:Describe`).add(`group:${c.group}:Read`);
    if (c.dlq) acls.add(`topic:${c.dlq}:Write`).add(`topic:${c.dlq}:Describe`);
  }
  for (const p of svc.produces) acls.add(`topic:${p.topic}:Write`).add(`topic:${p.topic}:Describe`);
  return acls;
}

/** Every topic a service's configuration names. */
export function usedTopics(svc) {
  return new Set([...svc.consumes.flatMap((c) => [c.topic, c.dlq].filter(Boolean)), ...svc.produces.map((p) => p.topic)]);
}

/**
 * Environment variables a service reads besides its FERRY_* ones. Quarkus hands KAFKA_* variables to the
 * Kafka client (KAFKA_SASL_JAAS_CONFIG -> kafka.sasl.jaas.config); only client settings Ferry's deployments
 * use are listed, so that a misspelt one fails. The JVM reads JAVA_TOOL_OPTIONS itself.
 */
export const OTHER_VARIABLES = new Set([
  "KAFKA_SECURITY_PROTOCOL",
  "KAFKA_SASL_MECHANISM",
  "KAFKA_SASL_JAAS_CONFIG",
  "KAFKA_SSL_TRUSTSTORE_TYPE",
  "KAFKA_SSL_TRUSTSTORE_LOCATION",
  "KAFKA_SSL_TRUSTSTORE_PASSWORD",
  "KAFKA_SSL_KEYSTORE_TYPE",
  "KAFKA_SSL_KEYSTORE_LOCATION",
  "KAFKA_SSL_KEYSTORE_PASSWORD",
  "KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM",
  "JAVA_TOOL_OPTIONS",
  "FERRY_OTLP_ENDPOINT", // read by service-support's TracingSwitch, not through a property
]);

/** FERRY_* variables whose default points at localhost: a deployment must set them. */
export function requiredVariables(svc) {
  return [...svc.variables].filter(([, def]) => def !== null && /localhost|127\.0\.0\.1/.test(def)).map(([v]) => v)
    .concat(svc.database ? ["FERRY_DB_PORT", "FERRY_DB_USER", "FERRY_DB_PASSWORD", svc.database.variable] : []);
}

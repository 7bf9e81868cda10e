// Cross-checks of one built kustomization (a list of objects) against the services' own configuration.
// Each function returns [checkName, errors[]]; an empty list means the check passed.
import { readsVariable, requiredAcls, requiredVariables, usedTopics } from "./services.mjs";

const all = (objs, kind) => objs.filter((o) => o.kind === kind);
const one = (objs, kind, name) => objs.find((o) => o.kind === kind && o.metadata?.name === name);
const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
const diff = (a, b) => [...a].filter((x) => !b.has(x));

/** Whether a label selector (matchLabels / matchExpressions In) selects the given labels. */
function selects(selector, labels = {}) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels || {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions || []) {
    if (e.operator === "In" && !e.values.includes(labels[e.key])) return false;
    if (e.operator === "NotIn" && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !(e.key in labels)) return false;
  }
  return true;
}

/**
 * Secrets a deployment reads that it does not contain. With Kafka or PostgreSQL outside the cluster (no Kafka or no
 * Cluster in the build), the operator creates them under the names the operators would have used, with the keys
 * the Deployments read (docs/DEPLOY.md lists them); the validator holds the build to that contract.
 */
export function externalSecrets(objs, services) {
  const secrets = new Map();
  // the client secret each calling service holds at the identity provider (docs/DEPLOY.md, "Identity")
  secrets.set("scheduler-service-oidc", ["client-secret"]);
  secrets.set("migration-worker-oidc", ["client-secret"]);
  if (all(objs, "Cluster").length === 0) secrets.set("ferry-postgres-app", ["username", "password"]);
  if (all(objs, "Kafka").length === 0) {
    secrets.set("ferry-kafka-cluster-ca-cert", ["ca.crt"]);
    for (const s of services) secrets.set(s.name, ["sasl.jaas.config"]);
  }
  return secrets;
}

/** Secrets the operators write for the objects in the build, or the operator creates by hand: name -> keys. */
function operatorSecrets(objs, services) {
  const secrets = externalSecrets(objs, services);
  for (const c of all(objs, "Cluster")) secrets.set(`${c.metadata.name}-app`, ["username", "password", "host", "port", "dbname", "uri", "jdbc-uri"]);
  for (const u of all(objs, "KafkaUser")) secrets.set(u.metadata.name, ["password", "sasl.jaas.config"]);
  for (const k of all(objs, "Kafka")) secrets.set(`${k.metadata.name}-cluster-ca-cert`, ["ca.crt", "ca.p12", "ca.password"]);
  for (const s of all(objs, "Secret")) secrets.set(s.metadata.name, Object.keys({ ...s.data, ...s.stringData }));
  return secrets;
}

/** Databases a CloudNativePG Cluster creates: initdb's, and CREATE DATABASE in its post-init SQL. */
function clusterDatabases(cluster) {
  const initdb = cluster.spec?.bootstrap?.initdb || {};
  const sql = [...(initdb.postInitSQL || []), ...(initdb.postInitApplicationSQL || []), ...(initdb.postInitTemplateSQL || [])];
  return new Set([initdb.database || "app", ...sql.flatMap((s) => [...s.matchAll(/create\s+database\s+"?([\w-]+)"?/gi)].map((m) => m[1]))]);
}

export function checkTopics(objs, topics, services) {
  const errors = [];
  const declared = new Set(topics);
  if (all(objs, "Kafka").length === 0) {
    // Kafka outside the cluster: its topics are created there (docs/DEPLOY.md); still, every topic used is declared.
    for (const s of services) for (const t of diff(usedTopics(s), declared)) errors.push(`${s.name} uses topic ${t} (application.properties), which Topics.java does not declare`);
    if (all(objs, "KafkaTopic").length) errors.push("KafkaTopics without a Kafka in this build: Strimzi would not create them");
    return ["topics used = Topics.java (Kafka outside the cluster)", errors];
  }
  const kafkas = new Set(all(objs, "Kafka").map((k) => k.metadata.name));
  const deployed = new Set();
  for (const t of all(objs, "KafkaTopic")) {
    const name = t.spec?.topicName || t.metadata.name;
    deployed.add(name);
    const cluster = t.metadata.labels?.["strimzi.io/cluster"];
    if (!kafkas.has(cluster)) errors.push(`KafkaTopic/${t.metadata.name}: label strimzi.io/cluster=${cluster} names no Kafka in this build`);
  }
  for (const t of diff(declared, deployed)) errors.push(`topic ${t} is in Topics.java but has no KafkaTopic`);
  for (const t of diff(deployed, declared)) errors.push(`KafkaTopic ${t} is not a topic of Topics.java`);
  for (const s of services) {
    for (const t of diff(usedTopics(s), declared)) errors.push(`${s.name} uses topic ${t} (application.properties), which Topics.java does not declare`);
  }
  return ["KafkaTopics = Topics.java", errors];
}

export function checkAcls(objs, svc) {
  const errors = [];
  // Kafka outside the cluster: the ACLs are granted there, as docs/DEPLOY.md lists them.
  if (all(objs, "Kafka").length === 0 && all(objs, "KafkaUser").length === 0) return [`${svc.name}: ACLs granted outside the cluster`, errors];
  const user = one(objs, "KafkaUser", svc.name);
  if (!user) return [`KafkaUser ${svc.name}: ACLs = its channels and group.id`, [`no KafkaUser ${svc.name}`]];
  const granted = new Set();
  for (const acl of user.spec?.authorization?.acls || []) {
    const r = acl.resource || {};
    if ((acl.type || "allow") !== "allow") continue;
    if ((r.patternType || "literal") !== "literal") errors.push(`KafkaUser/${svc.name}: ${r.type} ${r.name} uses patternType ${r.patternType}; grant exact names`);
    for (const op of acl.operations || []) granted.add(`${r.type}:${r.name}:${op}`);
  }
  const needed = requiredAcls(svc);
  for (const a of diff(needed, granted)) errors.push(`KafkaUser/${svc.name} lacks ${a.replace(/:(\w+)$/, " $1")} (needed by application.properties${a.startsWith("group:") ? ": group.id" : ""})`);
  for (const a of diff(granted, needed)) errors.push(`KafkaUser/${svc.name} grants ${a.replace(/:(\w+)$/, " $1")}, which application.properties does not use`);
  return [`KafkaUser ${svc.name}: ACLs = its channels and group.id`, errors];
}

/** Env var name -> { value } | { secret, key } | { configMap, key } of a container, with envFrom expanded. */
function containerEnv(objs, container, errors, where) {
  const env = new Map();
  for (const from of container.envFrom || []) {
    const ref = from.configMapRef?.name;
    const cm = ref && one(objs, "ConfigMap", ref);
    if (!cm) { errors.push(`${where}: envFrom ConfigMap ${ref} is not in this build`); continue; }
    for (const [k, v] of Object.entries(cm.data || {})) env.set(k, { value: v });
  }
  for (const e of container.env || []) {
    if (e.valueFrom?.secretKeyRef) env.set(e.name, { secret: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key });
    else if (e.valueFrom?.configMapKeyRef) {
      const cm = one(objs, "ConfigMap", e.valueFrom.configMapKeyRef.name);
      const v = cm?.data?.[e.valueFrom.configMapKeyRef.key];
      if (v === undefined) errors.push(`${where}: ${e.name} refers to ConfigMap key ${e.valueFrom.configMapKeyRef.name}/${e.valueFrom.configMapKeyRef.key}, which is not in this build`);
      env.set(e.name, { value: v });
    } else env.set(e.name, { value: e.value });
  }
  return env;
}

export function checkService(objs, svc, services, composeImages) {
  const errors = [];
  const name = svc.name;
  const dep = one(objs, "Deployment", name);
  const title = `${name}: Deployment, Service, probes, env and image match the service`;
  if (!dep) return [title, [`no Deployment ${name}`]];
  const where = `Deployment/${name}`;
  const tpl = dep.spec.template;
  const c = tpl.spec.containers.find((x) => x.name === name) || tpl.spec.containers[0];

  // Image: ferry/<service>, and the same name and tag as docker-compose.yml.
  const image = c.image || "";
  const [repo, tag] = [image.replace(/:[^/:]+$/, ""), (/:([^/:]+)$/.exec(image) || [])[1]];
  if (!repo.endsWith(`ferry/${name}`)) errors.push(`${where}: image ${image} is not ferry/${name}`);
  const composeImage = composeImages?.get(name);
  if (composeImage && `ferry/${name}:${tag}` !== composeImage) errors.push(`${where}: image ${image} differs from docker-compose.yml's ${composeImage}`);

  // Ports and probes: the port named http is the service's API (quarkus.http.port default); the one named management
  // serves health and metrics (quarkus.management.port), and the probes and the scrape go there.
  const http = (c.ports || []).find((p) => p.name === "http");
  if (!http) errors.push(`${where}: no container port named http`);
  else if (http.containerPort !== svc.port) errors.push(`${where}: containerPort ${http.containerPort}, but ${name} listens on ${svc.port} (quarkus.http.port)`);
  const mgmt = (c.ports || []).find((p) => p.name === "management");
  if (!mgmt) errors.push(`${where}: no container port named management (health and metrics, quarkus.management.port)`);
  else if (mgmt.containerPort !== svc.managementPort) errors.push(`${where}: management containerPort ${mgmt.containerPort}, but ${name} serves health on ${svc.managementPort} (quarkus.management.port)`);
  const portOk = (p) => p === "http" || p === svc.port;
  const managementOk = (p) => p === "management" || p === svc.managementPort;
  for (const [probe, path] of [["startupProbe", "/q/health/started"], ["livenessProbe", "/q/health/live"], ["readinessProbe", "/q/health/ready"]]) {
    const g = c[probe]?.httpGet;
    if (!g) errors.push(`${where}: no ${probe} (httpGet ${path})`);
    else {
      if (g.path !== path) errors.push(`${where}: ${probe} path ${g.path}, expected ${path}`);
      if (!managementOk(g.port)) errors.push(`${where}: ${probe} port ${g.port}, but ${name} serves health on its management port ${svc.managementPort}`);
    }
  }
  const scrape = tpl.metadata?.annotations?.["prometheus.io/port"];
  if (scrape && Number(scrape) !== svc.managementPort) errors.push(`${where}: prometheus.io/port ${scrape}, but ${name} serves metrics on ${svc.managementPort}`);

  // The Service that selects these pods forwards to the service's port.
  const services_ = all(objs, "Service").filter((s) => selects({ matchLabels: s.spec?.selector }, tpl.metadata.labels));
  if (services_.length === 0) errors.push(`${where}: no Service selects its pods`);
  for (const s of services_) for (const p of s.spec.ports || []) {
    if (p.name === "management") {
      // the scrape port (a ServiceMonitor's endpoint): health and metrics, never the API
      if (!managementOk(p.targetPort ?? p.port) || p.port !== svc.managementPort) errors.push(`Service/${s.metadata.name}: port management ${p.port} -> ${p.targetPort ?? p.port}, but ${name} serves metrics on ${svc.managementPort}`);
      continue;
    }
    if (!portOk(p.targetPort ?? p.port)) errors.push(`Service/${s.metadata.name}: targetPort ${p.targetPort ?? p.port}, but ${name} listens on ${svc.port}`);
    if (p.port !== svc.port) errors.push(`Service/${s.metadata.name}: port ${p.port}; keep it ${svc.port}, the port every Ferry configuration uses for ${name}`);
  }
  if (!selects(dep.spec.selector, tpl.metadata.labels)) errors.push(`${where}: spec.selector does not select its own template`);
  for (const pdb of all(objs, "PodDisruptionBudget").filter((p) => p.metadata.name === name)) {
    if (!selects(pdb.spec.selector, tpl.metadata.labels)) errors.push(`PodDisruptionBudget/${name}: selector does not select Deployment/${name}'s pods`);
  }
  const sa = tpl.spec.serviceAccountName;
  if (sa && !one(objs, "ServiceAccount", sa)) errors.push(`${where}: ServiceAccount ${sa} is not in this build`);

  // Environment: only variables the service reads; the ones without a usable default are set, and right.
  const env = containerEnv(objs, c, errors, where);
  const secrets = operatorSecrets(objs, services);
  for (const [v, src] of env) {
    if (!readsVariable(svc, v)) {
      errors.push(`${where}: sets ${v}, which ${name} does not read (no property of its application.properties or config mappings, nor a Quarkus, Kafka client or JVM variable)`);
    }
    if (src.secret && !(secrets.get(src.secret) || []).includes(src.key)) {
      errors.push(`${where}: ${v} reads Secret ${src.secret} key ${src.key}, which neither this build, its operators (CloudNativePG Cluster, KafkaUser, Kafka) nor the documented external Secrets provide`);
    }
  }
  for (const v of requiredVariables(svc)) if (!env.has(v)) errors.push(`${where}: ${v} is not set (its default points at localhost or a local setting)`);
  const val = (v) => env.get(v)?.value;
  if (env.has(svc.portVariable) && Number(val(svc.portVariable)) !== svc.port) errors.push(`${where}: ${svc.portVariable}=${val(svc.portVariable)}, but the container port and probes use ${svc.port}`);

  if (svc.database && all(objs, "Cluster").length === 0) {
    // PostgreSQL outside the cluster: a real address, and the database the service expects.
    if (!val("FERRY_DB_HOST") || /localhost|127\.0\.0\.1/.test(val("FERRY_DB_HOST")) || one(objs, "Service", val("FERRY_DB_HOST"))) {
      errors.push(`${where}: FERRY_DB_HOST=${val("FERRY_DB_HOST")}: with PostgreSQL outside the cluster, name its address`);
    }
    if (val(svc.database.variable) !== svc.database.name) errors.push(`${where}: ${svc.database.variable}=${val(svc.database.variable)}, the service's database is ${svc.database.name}`);
    if (!/^\d+$/.test(val("FERRY_DB_PORT") || "")) errors.push(`${where}: FERRY_DB_PORT=${val("FERRY_DB_PORT")} is not a port`);
  } else if (svc.database) {
    const clusters = all(objs, "Cluster");
    const cluster = clusters.find((cl) => val("FERRY_DB_HOST") === `${cl.metadata.name}-rw`);
    if (!cluster) errors.push(`${where}: FERRY_DB_HOST=${val("FERRY_DB_HOST")} is not the read-write Service of a CloudNativePG Cluster (${clusters.map((cl) => cl.metadata.name + "-rw").join(", ")})`);
    else {
      const dbs = clusterDatabases(cluster);
      const db = val(svc.database.variable);
      if (!dbs.has(db)) errors.push(`${where}: ${svc.database.variable}=${db}, but Cluster/${cluster.metadata.name} creates ${[...dbs].join(", ")}`);
      if (db !== svc.database.name) errors.push(`${where}: ${svc.database.variable}=${db}, the service's database is ${svc.database.name}`);
      for (const v of ["FERRY_DB_USER", "FERRY_DB_PASSWORD"]) {
        if (env.get(v)?.secret !== `${cluster.metadata.name}-app`) errors.push(`${where}: ${v} should come from Secret ${cluster.metadata.name}-app`);
      }
    }
    if (val("FERRY_DB_PORT") !== "5432") errors.push(`${where}: FERRY_DB_PORT=${val("FERRY_DB_PORT")}, PostgreSQL listens on 5432`);
  }

  // Kafka: the bootstrap Service and port of a listener, and client security that matches that listener.
  const bootstrap = val("FERRY_KAFKA_BOOTSTRAP");
  if (all(objs, "Kafka").length === 0) {
    errors.push(...checkExternalKafka(bootstrap, val, env, name, where));
    return [title, errors.concat(checkInventoryUrl(objs, services, env, val, where))];
  }
  let listener = null;
  for (const k of all(objs, "Kafka")) for (const l of k.spec?.kafka?.listeners || []) {
    if (bootstrap === `${k.metadata.name}-kafka-bootstrap:${l.port}`) listener = l;
  }
  if (!listener) errors.push(`${where}: FERRY_KAFKA_BOOTSTRAP=${bootstrap} is no listener of a Kafka in this build (<kafka>-kafka-bootstrap:<port>)`);
  else {
    const protocol = val("KAFKA_SECURITY_PROTOCOL") || "PLAINTEXT";
    const sasl = listener.authentication?.type === "scram-sha-512";
    const expected = `${sasl ? "SASL_" : ""}${listener.tls ? "SSL" : "PLAINTEXT"}`;
    if (protocol !== expected) errors.push(`${where}: KAFKA_SECURITY_PROTOCOL=${protocol}, listener ${listener.name} needs ${expected}`);
    if (sasl) {
      if (val("KAFKA_SASL_MECHANISM") !== "SCRAM-SHA-512") errors.push(`${where}: KAFKA_SASL_MECHANISM must be SCRAM-SHA-512 for listener ${listener.name}`);
      const jaas = env.get("KAFKA_SASL_JAAS_CONFIG");
      if (jaas?.secret !== name || jaas?.key !== "sasl.jaas.config") errors.push(`${where}: KAFKA_SASL_JAAS_CONFIG must come from the KafkaUser's Secret ${name}, key sasl.jaas.config`);
    }
  }

  return [title, errors.concat(checkInventoryUrl(objs, services, env, val, where))];
}

/** Kafka outside the cluster: host:port pairs, and client security that can work (SASL needs its login). */
function checkExternalKafka(bootstrap, val, env, name, where) {
  const errors = [];
  const pairs = (bootstrap || "").split(",").map((b) => b.trim());
  for (const b of pairs) {
    if (!/^[A-Za-z0-9.-]+:\d+$/.test(b) || /^(localhost|127\.0\.0\.1):/.test(b)) errors.push(`${where}: FERRY_KAFKA_BOOTSTRAP=${bootstrap}: with Kafka outside the cluster, list its brokers as host:port`);
  }
  const protocol = val("KAFKA_SECURITY_PROTOCOL") || "PLAINTEXT";
  if (!["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(protocol)) errors.push(`${where}: KAFKA_SECURITY_PROTOCOL=${protocol} is no Kafka security protocol`);
  if (protocol.startsWith("SASL_")) {
    if (!val("KAFKA_SASL_MECHANISM")) errors.push(`${where}: KAFKA_SASL_MECHANISM must be set for ${protocol}`);
    const jaas = env.get("KAFKA_SASL_JAAS_CONFIG");
    if (!jaas?.secret) errors.push(`${where}: KAFKA_SASL_JAAS_CONFIG must come from a Secret (the service's own Kafka user)`);
  }
  return errors;
}

/** scheduler -> inventory: a Service of this build, on inventory-service's port. */
function checkInventoryUrl(objs, services, env, val, where) {
  const errors = [];
  if (env.has("FERRY_INVENTORY_URL")) {
    const inv = services.find((s) => s.name === "inventory-service");
    const m = /^http:\/\/([^:/]+):(\d+)\/?$/.exec(val("FERRY_INVENTORY_URL") || "");
    const target = m && one(objs, "Service", m[1]);
    if (!m || !target) errors.push(`${where}: FERRY_INVENTORY_URL=${val("FERRY_INVENTORY_URL")} is not http://<Service>:<port> of a Service in this build`);
    else {
      if (!selects({ matchLabels: target.spec.selector }, { "app.kubernetes.io/name": inv.name })) errors.push(`${where}: FERRY_INVENTORY_URL names Service ${m[1]}, which does not select inventory-service`);
      if (!(target.spec.ports || []).some((p) => p.port === Number(m[2]))) errors.push(`${where}: FERRY_INVENTORY_URL port ${m[2]} is not a port of Service/${m[1]}`);
      if (Number(m[2]) !== inv.port) errors.push(`${where}: FERRY_INVENTORY_URL port ${m[2]}, inventory-service listens on ${inv.port}`);
    }
  }
  return errors;
}

/**
 * The worker autoscaler stays within the partitions its consumer group can spread over. It is an HPA (on CPU) or a
 * KEDA ScaledObject (on the group's lag), never both on one Deployment: two controllers would fight over replicas.
 * A Kafka trigger measures what the target really consumes: its topic and its group.
 */
export function checkAutoscaling(objs, services) {
  const errors = [];
  const partitions = new Map(all(objs, "KafkaTopic").map((t) => [t.spec?.topicName || t.metadata.name, t.spec?.partitions]));
  const scalers = [
    ...all(objs, "HorizontalPodAutoscaler").map((h) => ({ what: `HorizontalPodAutoscaler/${h.metadata.name}`, ref: { kind: "Deployment", ...h.spec.scaleTargetRef }, max: h.spec.maxReplicas, maxField: "maxReplicas" })),
    ...all(objs, "ScaledObject").map((o) => ({ what: `ScaledObject/${o.metadata.name}`, ref: { kind: "Deployment", ...o.spec.scaleTargetRef }, max: o.spec.maxReplicaCount ?? 100, maxField: "maxReplicaCount", triggers: o.spec.triggers || [] })),
  ];
  const scaled = new Map();
  for (const s of scalers) {
    const svc = services.find((x) => x.name === s.ref.name);
    if (s.ref.kind !== "Deployment" || !one(objs, "Deployment", s.ref.name)) { errors.push(`${s.what}: target ${s.ref.kind}/${s.ref.name} is not in this build`); continue; }
    if (scaled.has(s.ref.name)) errors.push(`${s.what} and ${scaled.get(s.ref.name)} both scale Deployment/${s.ref.name}; keep one`);
    scaled.set(s.ref.name, s.what);
    for (const c of svc?.consumes || []) {
      const p = partitions.get(c.topic);
      if (p !== undefined && s.max > p) {
        errors.push(`${s.what}: ${s.maxField} ${s.max} > ${p} partitions of ${c.topic}; group ${c.group} cannot use more than ${p} consumers`);
      }
    }
    for (const t of (s.triggers || []).filter((x) => x.type === "kafka")) {
      const m = t.metadata || {};
      if (!(svc?.consumes || []).some((c) => c.topic === m.topic && c.group === m.consumerGroup)) {
        errors.push(`${s.what}: its kafka trigger measures topic ${m.topic} in group ${m.consumerGroup}, which ${s.ref.name} does not consume (${(svc?.consumes || []).map((c) => `${c.topic} in ${c.group}`).join(", ")})`);
      }
    }
  }
  if (!scaled.has("migration-worker")) errors.push("no HorizontalPodAutoscaler or ScaledObject for migration-worker");
  return ["worker autoscaler within the partitions", errors];
}

/** NetworkPolicy ports agree with what they guard: service ports, Kafka listeners, PostgreSQL. */
export function checkNetworkPolicies(objs, services) {
  const errors = [];
  const listenerPorts = new Set(all(objs, "Kafka").flatMap((k) => (k.spec?.kafka?.listeners || []).map((l) => l.port)));
  const svcOf = (selector) => services.filter((s) => selector && Object.keys(selector).length && selects(selector, { "app.kubernetes.io/name": s.name }));
  const expectPorts = (where, peerSvcs, ports) => {
    for (const s of peerSvcs) for (const p of ports || []) if (p.port !== s.port && p.port !== s.managementPort) errors.push(`${where}: port ${p.port} for ${s.name}, which listens on ${s.port} (API) and ${s.managementPort} (health, metrics)`);
  };
  for (const np of all(objs, "NetworkPolicy")) {
    const where = `NetworkPolicy/${np.metadata.name}`;
    const guarded = svcOf(np.spec.podSelector);
    for (const rule of np.spec.ingress || []) {
      expectPorts(where, guarded, rule.ports);
      // the monitoring namespace reaches the management port only, never the API
      const metricsPeer = (rule.from || []).some((f) => f.namespaceSelector?.matchLabels?.["ferry.dev/metrics"] === "true");
      if (metricsPeer) for (const s of guarded) for (const p of rule.ports || []) if (p.port !== s.managementPort) errors.push(`${where}: the metrics namespace may reach ${s.name} on ${p.port}; only its management port ${s.managementPort} serves metrics`);
    }
    for (const rule of np.spec.egress || []) {
      for (const peer of rule.to || []) {
        const l = peer.podSelector?.matchLabels || {};
        expectPorts(where, svcOf(peer.podSelector), rule.ports);
        if (l["strimzi.io/cluster"]) for (const p of rule.ports || []) if (!listenerPorts.has(p.port)) errors.push(`${where}: port ${p.port} is no Kafka listener (${[...listenerPorts].join(", ")})`);
        if (l["cnpg.io/cluster"]) for (const p of rule.ports || []) if (p.port !== 5432) errors.push(`${where}: port ${p.port} to PostgreSQL, which listens on 5432`);
      }
    }
  }
  return ["NetworkPolicy ports", errors];
}

/**
 * Each service's pods may open what its configuration names: every Kafka bootstrap port and, with a database,
 * FERRY_DB_PORT, through an egress rule of a NetworkPolicy that selects them (deny-all is the default here).
 */
export function checkEgress(objs, services) {
  const errors = [];
  for (const svc of services) {
    const dep = one(objs, "Deployment", svc.name);
    if (!dep) continue;
    const labels = dep.spec.template.metadata.labels;
    const c = dep.spec.template.spec.containers.find((x) => x.name === svc.name) || dep.spec.template.spec.containers[0];
    const env = containerEnv(objs, c, [], "");
    const rules = all(objs, "NetworkPolicy").filter((np) => (np.spec.policyTypes || []).includes("Egress") && selects(np.spec.podSelector, labels))
      .flatMap((np) => np.spec.egress || []);
    const open = (port) => rules.some((r) => !r.ports || r.ports.some((p) => (p.protocol || "TCP") === "TCP" && p.port === port));
    const wanted = (env.get("FERRY_KAFKA_BOOTSTRAP")?.value || "").split(",").map((b) => Number(b.split(":").pop())).filter(Boolean)
      .map((port) => ["Kafka (FERRY_KAFKA_BOOTSTRAP)", port]);
    if (svc.database) wanted.push(["PostgreSQL (FERRY_DB_PORT)", Number(env.get("FERRY_DB_PORT")?.value)]);
    for (const [what, port] of wanted) if (!open(port)) errors.push(`Deployment/${svc.name}: no NetworkPolicy lets its pods reach ${what} on port ${port}`);
    // DNS: kube-dns/CoreDNS answer on 53, OpenShift's DNS pods on 5353, NodeLocal DNSCache on a node address that
    // no selector matches; so DNS egress must admit those ports to any destination.
    const dns = (proto, port) => rules.some((r) => !r.to && (!r.ports || r.ports.some((p) => (p.protocol || "TCP") === proto && p.port === port)));
    const missing = [["UDP", 53], ["TCP", 53], ["UDP", 5353], ["TCP", 5353]].filter(([proto, port]) => !dns(proto, port));
    if (missing.length) errors.push(`Deployment/${svc.name}: DNS egress must admit ${missing.map(([a, b]) => `${a} ${b}`).join(", ")} to any destination (NodeLocal DNSCache, OpenShift)`);
  }
  return ["NetworkPolicies let each service reach DNS, its Kafka and its PostgreSQL", errors];
}

/** Kafka client metrics the alerts and dashboard may use (Micrometer's binder of the Kafka clients). */
const KAFKA_METRICS = new Set(["kafka_consumer_fetch_manager_records_lag_max", "kafka_consumer_fetch_manager_records_lag"]);

/**
 * Every series an alert, the dashboard or an autoscaler queries is one the code exports (with the suffixes its meter
 * kind gets): a renamed metric must not leave an alert that can never fire.
 */
export function checkMetricNames(objs, metrics) {
  const errors = [];
  const known = (name) => KAFKA_METRICS.has(name) || metrics.has(name);
  const queries = [];
  for (const o of all(objs, "ScaledObject")) for (const t of (o.spec?.triggers || []).filter((x) => x.type === "prometheus")) queries.push([`ScaledObject/${o.metadata.name} prometheus trigger`, String(t.metadata?.query)]);
  for (const r of all(objs, "PrometheusRule")) for (const g of r.spec?.groups || []) for (const rule of g.rules || []) queries.push([`PrometheusRule/${r.metadata.name} ${rule.alert || rule.record}`, String(rule.expr)]);
  for (const cm of all(objs, "ConfigMap").filter((c) => c.metadata.labels?.grafana_dashboard)) {
    for (const [file, text] of Object.entries(cm.data || {})) {
      let dash;
      try { dash = JSON.parse(text); } catch (e) { errors.push(`ConfigMap/${cm.metadata.name} ${file}: not JSON: ${e.message}`); continue; }
      for (const p of dash.panels || []) for (const t of p.targets || []) queries.push([`ConfigMap/${cm.metadata.name} ${file} panel "${p.title}"`, String(t.expr)]);
    }
  }
  for (const [where, expr] of queries) {
    for (const m of expr.matchAll(/\b((?:ferry|kafka)_[a-z_]+)\b/g)) if (!known(m[1])) errors.push(`${where}: ${m[1]} is not a metric Ferry registers`);
  }
  return ["alerts and dashboard query metrics that exist", errors];
}

export function crossCheckBuild(objs, { services, topics, composeImages, metrics }) {
  return [
    checkMetricNames(objs, metrics),
    checkTopics(objs, topics, services),
    ...services.map((s) => checkAcls(objs, s)),
    ...services.map((s) => checkService(objs, s, services, composeImages)),
    checkAutoscaling(objs, services),
    checkNetworkPolicies(objs, services),
    checkEgress(objs, services),
  ];
}

